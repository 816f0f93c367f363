using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Power;

/// <summary>Power control and power-state refresh (configuration section "Power").</summary>
public sealed class PowerOptions
{
    public const string SectionName = "Power";

    /// <summary>How long after a Reset the PowerState may take to reach the expected value (slow BMCs take seconds).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")] public TimeSpan ActionTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Pause between PowerState reads while waiting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the refresh job runs; 0 turns it off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")] public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Machines read per refresh run, oldest reading first: the fleet is covered over several
    /// runs instead of every BMC being asked at once.
    /// </summary>
    [Range(1, 10_000)] public int RefreshBatchSize { get; set; } = 200;

    /// <summary>BMCs talked to at the same time by one refresh run (each BMC gets one request at a time).</summary>
    [Range(1, 256)] public int RefreshParallelBmcs { get; set; } = 16;

    /// <summary>
    /// How often machines are still read on a BMC whose event stream is open: events bring power
    /// changes at once, so this poll only catches an event the BMC failed to send.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan EventedRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A BMC's Redfish session is kept across requests and logged out after this long unused
    /// (longer than <see cref="EventedRefreshInterval"/>, so a polled BMC keeps its one session).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Event streams open at once (one per BMC, each one idle connection); BMCs beyond it are polled. 0 turns streams off.</summary>
    [Range(0, 100_000)] public int MaxEventStreams { get; set; } = 1000;

    /// <summary>How often BMCs without a stream are looked at (new BMCs, changed credentials, a free stream slot).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")] public TimeSpan EventStreamScanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait before reconnecting a broken stream (backoff doubles from one second up to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")] public TimeSpan EventStreamMaxBackoff { get; set; } = TimeSpan.FromMinutes(1);
}
