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
}
