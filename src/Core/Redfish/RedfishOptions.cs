using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Redfish;

/// <summary>How Portal talks to BMCs (config section <c>Redfish</c>).</summary>
public sealed class RedfishOptions
{
    public const string SectionName = "Redfish";

    /// <summary>Time for one HTTP exchange, not counting time queued behind the concurrency limits.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first attempt for transient failures (refused/reset, timeout, 500/502/503/504).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff delay; doubles per retry, with jitter so a fleet does not retry in lockstep.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>BMCs are small embedded systems that fall over under parallel load; two is what they tolerate.</summary>
    [Range(1, 16)]
    public int MaxConcurrentRequestsPerBmc { get; set; } = 2;

    /// <summary>Requests in flight to all BMCs together, across every client in the process.</summary>
    [Range(1, 4096)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Responses larger than this are treated as nonsense rather than buffered.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Logging out is best effort; never let it hold up the caller for long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan LogoutTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
