using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Netboot;

/// <summary>How a simulated install ended.</summary>
public enum InstallResult
{
    /// <summary>Installed: the machine reboots into its disk.</summary>
    Finished,
    /// <summary>The installer stopped with an error (and said so, when it had an events URL); the machine stays at its console.</summary>
    Failed,
}

/// <summary>
/// Plays the installer a kernel command line starts (Anaconda, Subiquity or the lab installer):
/// fetches the config it names, refuses one of the wrong kind as the real installer would, and
/// posts the phone-home events the real one posts — pre with the machine's facts, progress, post,
/// done — with <paramref name="pace"/> between them.
/// </summary>
public sealed class SimulatedInstaller(PortalDownloads downloads, HardwareFacts facts, TimeSpan pace, NetbootFaults faults, string machine, ILogger logger)
{
    public async Task<InstallResult> RunAsync(IpxeOutcome.KernelBoot boot, CancellationToken ct)
    {
        var named = InstallerConfig.FromCommandLine(boot.CommandLine, boot.Kernel);
        var events = InstallerConfig.EventsFromCommandLine(boot.CommandLine, boot.Kernel);
        if (named is not { } config)
        {
            logger.LogWarning("{Machine}: the kernel command line names no installer config (inst.ks=, portal.ks= or ds=nocloud); nothing to install", machine);
            if (events is not null) await PostAsync(events, "failed", "simulated installer: no config named on the kernel command line", null, null, ct);
            return InstallResult.Failed;
        }

        var who = config.Kind switch
        {
            InstallerKind.Kickstart => "Anaconda",
            InstallerKind.Autoinstall => "Subiquity",
            _ => "lab installer",
        };
        var text = await FetchConfigAsync(config.Kind, config.Config, ct);
        if (text is null)
        {
            if (events is not null) await PostAsync(events, "failed", $"simulated {who} could not fetch its config", null, null, ct);
            return InstallResult.Failed;
        }
        events = InstallerConfig.EventsFromConfig(text, boot.Kernel) ?? events;
        if (events is null)
        {
            logger.LogWarning("{Machine}: simulated {Who} has no events URL (neither in its config nor portal.events=)", machine, who);
            return InstallResult.Failed;
        }
        if (InstallerConfig.Problem(config.Kind, text) is { } problem)
        {
            logger.LogInformation("{Machine}: simulated {Who} refuses its config: {Problem}", machine, who, problem);
            await PostAsync(events, "failed", $"simulated {who}: the config is not what it expects ({problem})", null, null, ct);
            return InstallResult.Failed;
        }

        await PostAsync(events, "pre", $"simulated {who} started", null, FactsJson(), ct);
        if (faults.InstallerHangs)
        {
            logger.LogInformation("{Machine}: simulated {Who} hangs (injected)", machine, who);
            await Task.Delay(Timeout.Infinite, ct);
        }
        foreach (var (phase, percent, message) in new[] { ("progress", 10, "partitioning"), ("progress", 50, "installing packages"), ("post", 90, "running post-install") })
        {
            await Task.Delay(pace, ct);
            if (faults.InstallerFailsAtPercent is { } failAt && failAt <= percent)
            {
                await PostAsync(events, "failed", $"simulated {who} failed at {failAt} % (injected)", failAt, null, ct);
                return InstallResult.Failed;
            }
            await PostAsync(events, phase, message, percent, null, ct);
        }
        await Task.Delay(pace, ct);
        if (faults.InstallerFailsAtPercent is { } last)
        {
            await PostAsync(events, "failed", $"simulated {who} failed at {last} % (injected)", last, null, ct);
            return InstallResult.Failed;
        }
        await PostAsync(events, "done", $"simulated {who} finished, rebooting into the installed system", 100, null, ct);
        return InstallResult.Finished;
    }

    private async Task<string?> FetchConfigAsync(InstallerKind kind, Uri url, CancellationToken ct)
    {
        if (kind != InstallerKind.Autoinstall) return await downloads.TextAsync(url, "installer config", machine, ct);
        // cloud-init reads both halves of the NoCloud seed; an absent meta-data is an error for it too.
        var userData = await downloads.TextAsync(new Uri(url, "user-data"), "NoCloud user-data", machine, ct);
        var metaData = userData is null ? null : await downloads.TextAsync(new Uri(url, "meta-data"), "NoCloud meta-data", machine, ct);
        return metaData is null ? null : userData;
    }

    private async Task PostAsync(Uri events, string phase, string message, int? percent, object? factsObject, CancellationToken ct)
    {
        var body = new Dictionary<string, object> { ["phase"] = phase, ["message"] = message };
        if (percent is { } p) body["percent"] = p;
        if (factsObject is not null) body["facts"] = factsObject;
        if (!await downloads.PostJsonAsync(events, JsonSerializer.Serialize(body), machine, ct))
            logger.LogInformation("{Machine}: the {Phase} event was not delivered", machine, phase);
    }

    /// <summary>What a real installer sees of this machine, in the Portal's phone-home fact names.</summary>
    private object FactsJson() => new Dictionary<string, object>
    {
        ["cpu_model"] = facts.CpuModel,
        ["cpu_sockets"] = facts.Sockets,
        ["cpu_cores"] = facts.TotalCores,
        ["cpu_threads"] = facts.TotalThreads,
        ["memory_bytes"] = facts.MemoryBytes,
        ["disks"] = facts.Disks.Select((d, i) => new Dictionary<string, object>
        {
            ["name"] = d.Protocol == "NVMe" ? $"nvme{i}n1" : $"sd{(char)('a' + i % 26)}",
            ["size_bytes"] = d.CapacityBytes,
            ["model"] = d.Model,
            ["serial"] = d.SerialNumber,
        }).ToList(),
        ["nics"] = facts.Nics.Select((n, i) => new Dictionary<string, object> { ["name"] = $"eno{i + 1}", ["mac"] = n.Mac, ["speed_mbps"] = n.SpeedMbps }).ToList(),
        ["gpus"] = facts.Gpus.Select(g => new Dictionary<string, object> { ["model"] = g.Model, ["vendor"] = g.Manufacturer }).ToList(),
    };
}
