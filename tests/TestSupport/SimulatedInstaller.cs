using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Portal.TestSupport;

/// <summary>
/// A machine's netboot, played over HTTP the way iPXE and the lab installer do it: the bootstrap,
/// the per-machine script for its MAC, the config named on the kernel command line, and the
/// installer's phone-home events. For tests and benchmarks that need many machines, or a Portal
/// that is killed and restarted, where real VMs would be too slow.
/// </summary>
public sealed partial class SimulatedInstaller(HttpClient portal, string mac)
{
    public string? ConfigUrl { get; private set; }
    public string? EventsUrl { get; private set; }

    /// <summary>Bootstrap + per-machine script. True when the script is an installer (it names a config), false for local boot.</summary>
    public async Task<bool> NetbootAsync(CancellationToken ct = default)
    {
        var bootstrap = await portal.GetStringAsync("/boot.ipxe", ct);
        if (!bootstrap.StartsWith("#!ipxe", StringComparison.Ordinal)) throw new InvalidOperationException("The bootstrap is not an iPXE script.");
        var script = await portal.GetStringAsync($"/netboot/machine.ipxe?mac={Uri.EscapeDataString(mac)}&buildarch=x86_64&platform=pcbios", ct);
        var config = ConfigArgument().Match(script);
        var events = EventsArgument().Match(script);
        if (!config.Success) return false;
        ConfigUrl = Local(config.Groups[1].Value);
        EventsUrl = events.Success ? Local(events.Groups[1].Value) : null;
        return true;
    }

    /// <summary>The installer fetches its config; the events URL comes from it when the kernel line did not carry it.</summary>
    public async Task<string> FetchConfigAsync(CancellationToken ct = default)
    {
        var config = await portal.GetStringAsync(ConfigUrl ?? throw new InvalidOperationException("Netboot first."), ct);
        if (EventsUrl is null && EventsLine().Match(config) is { Success: true } line) EventsUrl = Local(line.Groups[1].Value);
        return config;
    }

    public async Task ReportAsync(string phase, string message, int? percent = null, CancellationToken ct = default)
    {
        // As the lab installer sends them: no "percent" at all when there is none.
        object body = percent is { } p ? new { phase, message, percent = p } : new { phase, message };
        using var response = await portal.PostAsJsonAsync(EventsUrl ?? throw new InvalidOperationException("Fetch the config first."), body, ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"The {phase} event got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    /// <summary>The whole install (or wipe): netboot, config, pre, progress, post, done.</summary>
    public async Task InstallAsync(CancellationToken ct = default)
    {
        if (!await NetbootAsync(ct)) throw new InvalidOperationException($"Machine {mac} was told to boot its local disk, not an installer.");
        await FetchConfigAsync(ct);
        await ReportAsync("pre", "simulated installer started", null, ct);
        await ReportAsync("progress", "installing", 50, ct);
        await ReportAsync("post", "installed", 90, ct);
        await ReportAsync("done", "simulated installer finished", 100, ct);
    }

    // Portal renders absolute URLs from the Host it was asked on; the client keeps talking to its own base address.
    private static string Local(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.PathAndQuery : url;

    [GeneratedRegex(@"portal\.ks=(\S+)")] private static partial Regex ConfigArgument();
    [GeneratedRegex(@"portal\.events=(\S+)")] private static partial Regex EventsArgument();
    [GeneratedRegex(@"^PORTAL_EVENTS_URL='?([^'\s]+)'?", RegexOptions.Multiline)] private static partial Regex EventsLine();
}
