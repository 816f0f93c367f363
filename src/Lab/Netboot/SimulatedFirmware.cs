using Microsoft.Extensions.Logging;

namespace Portal.Lab.Netboot;

/// <summary>What a simulated netboot ended in, for the system's power and boot state.</summary>
public enum NetbootResult
{
    /// <summary>iPXE handed back to the firmware (<c>exit</c>, <c>sanboot</c>, a failed fetch): the machine boots its disk.</summary>
    BootedFromDisk,
    /// <summary>An installer ran to its end: the machine reboots.</summary>
    Installed,
    /// <summary>An installer stopped with an error: the machine stays on at its console.</summary>
    InstallerFailed,
}

/// <summary>
/// The network boot of every lab system that is not VM-backed, when <see cref="LabOptions.SimulatedNetbootUrl"/>
/// is set: iPXE fetching the Portal's <c>/boot.ipxe</c> with the machine's identity, then the
/// installer the script boots. One per fleet; it owns the HTTP client all machines share.
/// </summary>
public sealed class SimulatedFirmware : IDisposable
{
    private readonly HttpClient http;
    private readonly PortalDownloads downloads;
    private readonly TimeSpan pace;
    private readonly ILogger logger;

    public SimulatedFirmware(Uri portal, TimeSpan pace, ILogger logger)
    {
        if (!portal.IsAbsoluteUri || portal.Scheme is not ("http" or "https"))
            throw new ArgumentException($"SimulatedNetbootUrl must be an absolute http(s) URL, got '{portal}'.");
        Portal = portal;
        this.pace = pace;
        this.logger = logger;
        http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = 64 })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        downloads = new PortalDownloads(http, portal, logger);
    }

    /// <summary>The fleet's firmware per its options, or null when simulated netboot is off.</summary>
    public static SimulatedFirmware? For(LabOptions options, ILoggerFactory loggers)
    {
        if (string.IsNullOrWhiteSpace(options.SimulatedNetbootUrl)) return null;
        if (!Uri.TryCreate(options.SimulatedNetbootUrl, UriKind.Absolute, out var portal))
            throw new ArgumentException($"SimulatedNetbootUrl '{options.SimulatedNetbootUrl}' is not an absolute URL such as http://127.0.0.1:5080.");
        if (options.InstallerPace < TimeSpan.Zero) throw new ArgumentException("InstallerPace must not be negative.");
        if (options.NetbootFaults.Validate() is { } problem) throw new ArgumentException($"NetbootFaults: {problem}.");
        return new SimulatedFirmware(portal, options.InstallerPace, loggers.CreateLogger<SimulatedFirmware>());
    }

    /// <summary>The Portal the machines boot from; only URLs on it are ever contacted.</summary>
    public Uri Portal { get; }

    /// <summary>The firmware's netboot from power-on to the installer's end. Cancelled when the machine powers off.</summary>
    public async Task<NetbootResult> BootAsync(HardwareFacts facts, bool uefi, NetbootFaults faults, CancellationToken ct)
    {
        var machine = facts.SerialNumber;
        if (faults.FirmwareNeverAsks)
        {
            logger.LogInformation("{Machine}: firmware skipped the network boot (injected) and boots its disk", machine);
            return NetbootResult.BootedFromDisk;
        }
        var fetching = faults.ScriptFetchFails ? downloads.WithFailingScriptFetches() : downloads;
        var ipxe = new IpxeInterpreter(fetching, machine, logger);
        ipxe.Variables["net0/mac"] = facts.Nics.Count > 0 ? facts.Nics[0].Mac.ToLowerInvariant() : "";
        ipxe.Variables["uuid"] = facts.Uuid.ToString("D");
        ipxe.Variables["serial"] = facts.SerialNumber;
        ipxe.Variables["manufacturer"] = facts.Manufacturer;
        ipxe.Variables["product"] = facts.Model;
        ipxe.Variables["buildarch"] = "x86_64";
        ipxe.Variables["platform"] = uefi ? "efi" : "pcbios";

        IpxeOutcome outcome;
        try
        {
            outcome = await ipxe.BootAsync(new Uri(Portal, "/boot.ipxe"), ct);
        }
        catch (IpxeScriptException e)
        {
            logger.LogWarning("{Machine}: iPXE gave up: {Error}; the firmware boots the disk", machine, e.Message);
            return NetbootResult.BootedFromDisk;
        }

        switch (outcome)
        {
            case IpxeOutcome.KernelBoot kernel:
                logger.LogInformation("{Machine}: booting {Kernel} with {Initrds} initrd(s)", machine, kernel.Kernel, kernel.Initrds.Count);
                var installer = new SimulatedInstaller(fetching, facts, pace, faults, machine, logger);
                return await installer.RunAsync(kernel, ct) == InstallResult.Finished ? NetbootResult.Installed : NetbootResult.InstallerFailed;
            case IpxeOutcome.LocalBoot local:
                logger.LogInformation("{Machine}: iPXE ended ({Reason}); the firmware boots the disk", machine, local.Reason);
                return NetbootResult.BootedFromDisk;
            default:
                throw new InvalidOperationException($"Unexpected iPXE outcome {outcome}.");
        }
    }

    public void Dispose() => http.Dispose();
}
