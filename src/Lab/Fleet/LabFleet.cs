using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Lab.Control;
using Portal.Lab.Fleet;
using Portal.Lab.Hosting;
using Portal.Lab.Netboot;
using Portal.Lab.Redfish;

namespace Portal.Lab;

/// <summary>
/// A running virtual lab: N simulated BMCs, each on its own loopback address, served by one
/// Kestrel instance that dispatches on the local address a connection arrived at, plus a
/// plain-HTTP control API. Start with <see cref="StartAsync"/>; dispose to stop (and kill VMs).
/// </summary>
public sealed class LabFleet : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping;
    private readonly Dictionary<IPAddress, LabBmc> byAddress;
    private int disposed;

    private readonly CertificateStore? certificates;

    private LabFleet(LabOptions options, IReadOnlyList<LabBmc> bmcs, WebApplication app, CancellationTokenSource stopping,
        string outputDirectory, CertificateStore? certificates, Uri controlUri, int port, TimeSpan startupTime)
    {
        this.certificates = certificates;
        Options = options;
        Bmcs = bmcs;
        this.app = app;
        this.stopping = stopping;
        OutputDirectory = outputDirectory;
        ControlUri = controlUri;
        Port = port;
        StartupTime = startupTime;
        byAddress = bmcs.ToDictionary(b => b.Address);
        CredentialCsvPath = Path.Combine(outputDirectory, FleetFiles.CredentialCsvName);
        LeaseFilePath = Path.Combine(outputDirectory, FleetFiles.LeaseFileName);
    }

    public LabOptions Options { get; }

    /// <summary>The simulated firmware the systems that are not VM-backed netboot with; null when <see cref="LabOptions.SimulatedNetbootUrl"/> is unset.</summary>
    public SimulatedFirmware? Firmware { get; private init; }
    public IReadOnlyList<LabBmc> Bmcs { get; }
    public IEnumerable<LabSystem> Systems => Bmcs.SelectMany(b => b.Systems);
    public string OutputDirectory { get; }

    /// <summary>Vendor-style credential list: bmc_mac,username,password,serial.</summary>
    public string CredentialCsvPath { get; }

    /// <summary>dnsmasq lease file mapping every BMC MAC to its address.</summary>
    public string LeaseFilePath { get; }

    /// <summary>
    /// Where each BMC's certificate and key are kept across runs (&lt;output&gt;/certs), or null
    /// when they are not: plain HTTP, or no OutputDirectory given (a throwaway temp folder).
    /// </summary>
    public string? CertificateDirectory => certificates?.Directory;

    /// <summary>Base of the control API, e.g. http://127.0.0.1:41234/ (see /lab/bmcs).</summary>
    public Uri ControlUri { get; }

    /// <summary>The port all BMCs listen on.</summary>
    public int Port { get; }

    /// <summary>How long <see cref="StartAsync"/> took.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>By index, address, BMC MAC (any spelling) or host name; null when unknown.</summary>
    public LabBmc? FindBmc(string key)
    {
        if (int.TryParse(key, out var i)) return i >= 0 && i < Bmcs.Count ? Bmcs[i] : null;
        if (IPAddress.TryParse(key, out var ip) && byAddress.TryGetValue(ip, out var b)) return b;
        var mac = NormalizeMac(key);
        return Bmcs.FirstOrDefault(x => x.Mac == mac || string.Equals(x.HostName, key, StringComparison.OrdinalIgnoreCase));
    }

    private static string NormalizeMac(string s)
    {
        var hex = new string(s.Where(Uri.IsHexDigit).ToArray()).ToLowerInvariant();
        return hex.Length == 12 ? string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2))) : s;
    }

    /// <summary>Same faults on every BMC.</summary>
    public void SetFaults(FaultSettings faults)
    {
        foreach (var b in Bmcs) b.Faults = faults;
    }

    public void ResetStats()
    {
        foreach (var b in Bmcs) b.ResetStats();
    }

    /// <summary>
    /// Gives the BMC a new key and certificate, as an operator re-certifying a real BMC does: it
    /// replaces the stored one (when certificates are kept) and is presented from the next TLS
    /// handshake on. Returns the new certificate's SHA-256.
    /// </summary>
    public string Recertify(LabBmc bmc)
    {
        ArgumentNullException.ThrowIfNull(bmc);
        if (!Options.Https) throw new InvalidOperationException("This lab serves plain HTTP: its BMCs have no certificates.");
        var replacement = certificates is not null
            ? certificates.CreateAndSave(bmc)
            : SelfSignedCertificates.Create(bmc.HostName, bmc.Address, bmc.Profile.Vendor);
        bmc.ReplaceCertificate(replacement);
        return bmc.CertificateSha256!;
    }

    /// <summary>The path of qemu-system-x86_64 if it is installed, else null.</summary>
    public static string? FindQemu(string? configured = null)
    {
        if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "qemu-system-x86_64");
            if (dir.Length > 0 && File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static async Task<LabFleet> StartAsync(LabOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BmcCount < 0) throw new ArgumentException("BmcCount must not be negative.");
        var clock = Stopwatch.StartNew();
        var loggers = new FilteringLoggerFactory(loggerFactory ?? NullLoggerFactory.Instance);
        var logger = loggers.CreateLogger<LabFleet>();

        var throwaway = string.IsNullOrWhiteSpace(options.OutputDirectory);
        var output = throwaway
            ? Path.Combine(Path.GetTempPath(), $"portal-lab-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}")
            : Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(output);
        // Only a folder someone chose outlives this run, so only there are certificates worth keeping.
        var certificates = options.Https && !throwaway ? CertificateStore.Open(output, logger) : null;

        var qemu = FindQemu(options.QemuPath) ?? (string.IsNullOrEmpty(options.QemuPath) ? "qemu-system-x86_64" : options.QemuPath);
        if (options.VmBackedCount > 0 && FindQemu(options.QemuPath) is null)
        {
            logger.LogWarning("{Count} VM-backed machines requested but qemu-system-x86_64 is not installed: they power on as plain simulations.", options.VmBackedCount);
        }

        var bmcs = FleetBuilder.Build(options, output, qemu, loggers);
        var firmware = SimulatedFirmware.For(options, loggers);
        foreach (var system in bmcs.SelectMany(b => b.Systems))
        {
            system.Firmware = firmware;
            system.NetbootFaults = options.NetbootFaults;
        }
        var built = clock.Elapsed;
        if (options.Https)
        {
            var now = DateTimeOffset.UtcNow;
            Parallel.ForEach(bmcs, b => b.Certificate = certificates is not null
                ? certificates.LoadOrCreate(b, now)
                : SelfSignedCertificates.Create(b.HostName, b.Address, b.Profile.Vendor));
        }
        var certified = clock.Elapsed;
        foreach (var b in bmcs) b.Https = options.Https;

        var controlIp = IPAddress.Parse(options.ControlAddress);
        if (controlIp.GetAddressBytes()[0] != 127) throw new ArgumentException("ControlAddress must be a loopback (127.x) address.");

        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port != 0 ? options.Port : PickCommonFreePort(bmcs.Select(b => b.Address).ToList());
            var stopping = new CancellationTokenSource();
            var gate = new DispatchGate();
            var app = BuildApp(options, bmcs, port, controlIp, loggers, gate);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException e) when (options.Port == 0 && attempt < 5 && e.InnerException is SocketException or null)
            {
                // Someone took the port between our probe and Kestrel's bind: try another one.
                logger.LogInformation("Port {Port} was taken while starting ({Error}); retrying", port, e.Message);
                await app.DisposeAsync();
                stopping.Dispose();
                continue;
            }
            catch
            {
                await app.DisposeAsync();
                stopping.Dispose();
                throw;
            }

            foreach (var b in bmcs) b.Port = port;
            var controlPort = options.ControlPort != 0 ? options.ControlPort : ControlPortOf(app, controlIp, port);
            var controlUri = new Uri($"http://{controlIp}:{controlPort}/");
            var fleet = new LabFleet(options, bmcs, app, stopping, output, certificates, controlUri, port, clock.Elapsed) { Firmware = firmware };
            gate.Target = new Dispatcher(fleet.byAddress, new RedfishHandler(options, stopping.Token, loggers.CreateLogger<RedfishHandler>()),
                new ControlApi(fleet), controlIp, controlPort, port);

            FleetFiles.WriteAtomically(fleet.CredentialCsvPath, FleetFiles.CredentialCsv(bmcs, options.VendorMacSpelling));
            FleetFiles.WriteAtomically(fleet.LeaseFilePath, FleetFiles.Leases(bmcs, DateTimeOffset.UtcNow));
            fleet.StartupTime = clock.Elapsed;
            logger.LogInformation(
                "Lab: {Count} BMCs on {First}..{Last} port {Port} ({Scheme}) in {Ms} ms (hardware {Build} ms, certificates {Certs} ms, listening {Listen} ms); control API {Control}",
                bmcs.Count, bmcs.FirstOrDefault()?.Address, bmcs.LastOrDefault()?.Address, port, options.Https ? "https" : "http",
                (int)fleet.StartupTime.TotalMilliseconds, (int)built.TotalMilliseconds, (int)(certified - built).TotalMilliseconds,
                (int)(fleet.StartupTime - certified).TotalMilliseconds, controlUri);
            return fleet;
        }
    }

    private static WebApplication BuildApp(LabOptions options, IReadOnlyList<LabBmc> bmcs, int port, IPAddress controlIp,
        ILoggerFactory loggers, DispatchGate gate)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Portal.Lab" });
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            foreach (var b in bmcs)
            {
                k.Listen(b.Address, port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1; // BMC web servers speak HTTP/1.1
                    // A per-connection callback instead of UseHttps(cert): Kestrel then does no
                    // per-endpoint certificate work at start, which for 1,000 BMCs is seconds.
                    if (b.Certificate is not null) listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(b.TlsOptions) });
                });
            }
            k.Listen(controlIp, options.ControlPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        var app = builder.Build();
        app.Run(gate.HandleAsync);
        return app;
    }

    private static int PickCommonFreePort(IReadOnlyList<IPAddress> addresses)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            int port;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                probe.Bind(new IPEndPoint(addresses.Count > 0 ? addresses[0] : IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }
            if (addresses.Skip(1).All(a => CanBind(a, port))) return port;
        }
        throw new InvalidOperationException("Found no port that is free on every lab address.");
    }

    private static bool CanBind(IPAddress address, int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ControlPortOf(WebApplication app, IPAddress controlIp, int bmcPort)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        foreach (var a in addresses)
        {
            var uri = new Uri(a);
            if (IPAddress.TryParse(uri.Host, out var ip) && ip.Equals(controlIp) && uri.Port != bmcPort && uri.Scheme == "http") return uri.Port;
        }
        throw new InvalidOperationException("Could not find the control API's port.");
    }

    /// <summary>Stops the server, ends hanging requests and kills every VM.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await stopping.CancelAsync();
        foreach (var s in Systems) s.Shutdown();
        try
        {
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
            stopping.Dispose();
            foreach (var b in Bmcs) b.Certificate?.Dispose();
            Firmware?.Dispose();
        }
    }

    /// <summary>Holds the dispatcher; requests that arrive in the instant before it is set get a 503.</summary>
    private sealed class DispatchGate
    {
        public Dispatcher? Target { get; set; }

        public Task HandleAsync(HttpContext ctx)
        {
            if (Target is { } d) return d.HandleAsync(ctx);
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }
    }
}
