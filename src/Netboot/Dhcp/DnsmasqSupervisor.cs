using System.Diagnostics;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Dhcp;

/// <summary>
/// Runs dnsmasq as a child of the Portal while Netboot:Dhcp:Mode is not Off: writes its configuration,
/// starts it in the foreground with its log on our pipes, restarts it when it dies (waiting longer after
/// each quick death, so a busy port 67 is retried rather than hammered) and stops it with the Portal. A
/// bad setting or a dnsmasq that cannot start never stops the Portal: the reason is logged and shown on
/// the admin page, and the rest of the Portal keeps working.
/// </summary>
public sealed class DnsmasqSupervisor(
    IOptions<DhcpOptions> dhcp, IOptions<NetbootOptions> netboot, DhcpStatus status, ILogger<DnsmasqSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1), LastRetry = TimeSpan.FromSeconds(60);
    /// <summary>A dnsmasq that ran this long was healthy: its next death is retried quickly again.</summary>
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(60);

    public string ConfigPath => Path.Combine(StateDirectory, "dnsmasq.conf");
    public string LeaseFile => Path.Combine(StateDirectory, "dnsmasq.leases");
    private string PidFile => Path.Combine(StateDirectory, "dnsmasq.pid");
    private string StateDirectory => Path.GetFullPath(dhcp.Value.StateDirectory ?? "dnsmasq");

    /// <summary>The configuration as it would be written now, or the reasons it cannot be.</summary>
    public (string? Config, IReadOnlyList<string> Problems) Render(DhcpMode? mode = null)
    {
        var o = dhcp.Value;
        if (mode is { } m && m != o.Mode) o = With(o, m);
        var problems = DnsmasqConfig.Problems(o).ToList();
        if (string.IsNullOrWhiteSpace(netboot.Value.PublicBaseUrl))
            problems.Add("Netboot:PublicBaseUrl is not set: dnsmasq could not tell iPXE where the Portal is.");
        if (o.Mode == DhcpMode.Off) problems.Add("Netboot:Dhcp:Mode is Off: there is no dnsmasq configuration to write (ask for ?mode=Proxy or ?mode=Full).");
        if (problems.Count > 0) return (null, problems);
        try
        {
            var subnet = o.Mode == DhcpMode.Proxy && string.IsNullOrWhiteSpace(o.ProxySubnet) ? NetworkOf(o.Interface!) : null;
            return (DnsmasqConfig.Render(new DnsmasqInputs(o, new PortalUrls(netboot.Value.PublicBaseUrl!), LeaseFile, subnet)), []);
        }
        catch (ArgumentException e) { return (null, [e.Message.Split(" (Parameter")[0]]); }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var o = dhcp.Value;
        status.Configured(o.Mode, o.Interface, o.Mode == DhcpMode.Off ? null : ConfigPath, o.Mode == DhcpMode.Off ? null : LeaseFile);
        if (o.Mode == DhcpMode.Off) return;
        await Task.Yield(); // the host's start-up goes on while dnsmasq starts
        if (!o.Supervise)
        {
            // Someone else runs dnsmasq (on the host's network, where the interface is): write its files only.
            if (WriteFiles() is { } problem) Fail(problem);
            else logger.LogInformation("dnsmasq configuration written to {Config}; Netboot:Dhcp:Supervise is false, so it is run beside the Portal", ConfigPath);
            return;
        }
        var retry = FirstRetry;
        while (!stopping.IsCancellationRequested)
        {
            var ranFor = TimeSpan.Zero;
            try
            {
                if (Prepare() is { } problem) Fail(problem);
                else ranFor = await RunOnceAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { break; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                Fail($"dnsmasq could not be started: {e.Message}");
            }
            retry = ranFor >= Healthy ? FirstRetry : retry;
            try { await Task.Delay(retry, stopping); }
            catch (OperationCanceledException) { break; }
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
        }
    }

    /// <summary>Checks what can be checked before dnsmasq runs and writes its files; the problem, if any.</summary>
    private string? Prepare()
    {
        var o = dhcp.Value;
        if (!NetworkInterface.GetAllNetworkInterfaces().Any(n => n.Name == o.Interface) && !string.IsNullOrWhiteSpace(o.Interface))
            return $"Netboot:Dhcp:Interface '{o.Interface}' does not exist on this machine (it has: {string.Join(", ", NetworkInterface.GetAllNetworkInterfaces().Select(n => n.Name))}).";
        foreach (var loader in new[] { DnsmasqConfig.BiosLoader, DnsmasqConfig.EfiLoader })
            if (!File.Exists(Path.Combine(o.IpxeDirectory, loader)))
                return $"{Path.Combine(o.IpxeDirectory, loader)} is missing: install Debian's ipxe package (apt-get install ipxe) or set Netboot:Dhcp:IpxeDirectory.";
        if (WriteFiles() is { } problem) return problem;
        StopLeftover();
        return null;
    }

    private string? WriteFiles()
    {
        var (config, problems) = Render();
        if (config is null) return string.Join(" ", problems);
        Directory.CreateDirectory(StateDirectory);
        File.WriteAllText(ConfigPath, config);
        if (!File.Exists(LeaseFile)) File.WriteAllText(LeaseFile, "");
        return null;
    }

    private async Task<TimeSpan> RunOnceAsync(CancellationToken stopping)
    {
        var start = new ProcessStartInfo(dhcp.Value.DnsmasqPath)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // In the foreground (a child we can watch), logging to stderr, no pid file of its own.
        foreach (var a in new[] { "--keep-in-foreground", "--log-facility=-", "--pid-file=", $"--conf-file={ConfigPath}" }) start.ArgumentList.Add(a);
        using var process = new Process { StartInfo = start };
        string? lastError = null;
        void OnLine(string? line)
        {
            if (line is null) return;
            logger.LogInformation("{Line}", line);
            if (IsRequest(line)) status.Heard(line);
            else if (line.StartsWith("dnsmasq:", StringComparison.Ordinal) && !line.StartsWith("dnsmasq: started", StringComparison.Ordinal)
                     && !line.Contains("compile time options", StringComparison.Ordinal)) lastError = line;
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        var started = Stopwatch.StartNew();
        await File.WriteAllTextAsync(PidFile, process.Id.ToString(), CancellationToken.None);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        status.Started(process.Id);
        logger.LogInformation("dnsmasq started (pid {Pid}, mode {Mode}, interface {Interface}, configuration {Config})",
            process.Id, dhcp.Value.Mode, dhcp.Value.Interface, ConfigPath);
        try
        {
            await process.WaitForExitAsync(stopping);
            process.WaitForExit(); // the last lines of its output, which carry the reason
            Fail(lastError is { } reason ? $"dnsmasq exited ({process.ExitCode}): {reason}" : $"dnsmasq exited with code {process.ExitCode}.");
            return started.Elapsed;
        }
        catch (OperationCanceledException)
        {
            Stop(process);
            throw;
        }
        finally
        {
            status.Stopped();
            File.Delete(PidFile);
        }
    }

    private void Fail(string problem)
    {
        logger.LogError("DHCP/TFTP for netboot is not running: {Problem}", problem);
        status.Failed(problem);
    }

    /// <summary>dnsmasq's lines about one DHCP exchange or TFTP transfer (log-dhcp's option dumps are left out).</summary>
    private static bool IsRequest(string line) =>
        (line.StartsWith("dnsmasq-dhcp", StringComparison.Ordinal) && (line.Contains(" DHCP", StringComparison.Ordinal) || line.Contains("PXE(", StringComparison.Ordinal)))
        || (line.StartsWith("dnsmasq-tftp", StringComparison.Ordinal) && (line.Contains("sent ", StringComparison.Ordinal) || line.Contains("error", StringComparison.OrdinalIgnoreCase) || line.Contains("failed", StringComparison.Ordinal)));

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { } // already gone
    }

    /// <summary>
    /// A Portal killed without warning leaves its dnsmasq holding port 67. The pid we wrote is stopped
    /// only when that process is still a dnsmasq running our configuration file — never anything else.
    /// </summary>
    private void StopLeftover()
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid)) return;
        var cmdline = $"/proc/{pid}/cmdline";
        if (File.Exists(cmdline) && File.ReadAllText(cmdline).Contains($"--conf-file={ConfigPath}", StringComparison.Ordinal))
        {
            logger.LogWarning("Stopping dnsmasq {Pid} left behind by an earlier run of the Portal", pid);
            try { using var old = Process.GetProcessById(pid); old.Kill(); old.WaitForExit(5000); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
        }
        File.Delete(PidFile);
    }

    /// <summary>The IPv4 network address of <paramref name="name"/>, e.g. 10.0.0.0 for 10.0.0.5/24; null when it has none.</summary>
    private static string? NetworkOf(string name)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
        var v4 = nic?.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork);
        if (v4 is null) return null;
        var address = v4.Address.GetAddressBytes();
        var mask = v4.IPv4Mask.GetAddressBytes();
        return new System.Net.IPAddress(address.Zip(mask, (a, m) => (byte)(a & m)).ToArray()).ToString();
    }

    private static DhcpOptions With(DhcpOptions o, DhcpMode mode) => new()
    {
        Mode = mode, Interface = o.Interface, RangeStart = o.RangeStart, RangeEnd = o.RangeEnd, Netmask = o.Netmask, LeaseTime = o.LeaseTime,
        Router = o.Router, DnsServers = o.DnsServers, ProxySubnet = o.ProxySubnet, IgnoreMacPrefixes = o.IgnoreMacPrefixes, IgnoreTags = o.IgnoreTags,
        IpxeDirectory = o.IpxeDirectory, DnsmasqPath = o.DnsmasqPath, StateDirectory = o.StateDirectory,
    };
}
