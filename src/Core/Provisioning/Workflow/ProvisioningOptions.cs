using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>Step timeouts and retries of the provisioning workflow (configuration section "Provisioning").</summary>
public sealed class ProvisioningOptions
{
    public const string SectionName = "Provisioning";

    /// <summary>From power-on until the machine fetches its iPXE script (firmware POST and PXE can take minutes on big servers).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "02:00:00")] public TimeSpan ScriptFetchTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>From the script fetch until the installer fetches its kickstart / user-data (kernel and initrd download).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "02:00:00")] public TimeSpan ConfigFetchTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>From the config fetch until the installer reports done.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "12:00:00")] public TimeSpan InstallerTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often a waiting step looks at the timeline again.</summary>
    /// <summary>How often active runs and unfinished power operations that lost their Quartz job get it back (see RunSweep).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")] public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Tries of one BMC step before the run fails (each try checks the BMC's state first, so repeating is safe).</summary>
    [Range(1, 10)] public int BmcAttempts { get; set; } = 3;

    /// <summary>Pause before the next try of a BMC step, multiplied by the attempt number.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")] public TimeSpan BmcRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Admission control for boot storms: at most this many runs between the queue and their end
    /// (powering, netbooting, installing) at once; the rest wait in the Queued step, oldest first.
    /// </summary>
    [Range(1, 10_000)] public int MaxConcurrent { get; set; } = 20;

    /// <summary>The same per BMC vendor ("Dell": 5), matched case-insensitively to the vendor the BMC reported. Vendors not listed: only the overall limit.</summary>
    public Dictionary<string, int> MaxConcurrentPerVendor { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often a queued run looks for a free slot.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")] public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
