namespace Portal.Lab;

/// <summary>A snapshot of what one BMC saw since the last reset.</summary>
/// <param name="Requests">Redfish requests received (every method, faulted ones included).</param>
/// <param name="InFlight">Requests being handled right now.</param>
/// <param name="MaxInFlight">The most requests this BMC was handling at the same moment.</param>
public sealed record BmcStats(long Requests, int InFlight, int MaxInFlight)
{
    /// <summary>Redfish sessions created (logins) since the last reset: what a BMC's session table feels.</summary>
    public long SessionsCreated { get; init; }

    /// <summary>Sessions open right now (a gauge, not reset).</summary>
    public int OpenSessions { get; init; }

    /// <summary>Server-sent event streams open right now (a gauge, not reset).</summary>
    public int EventStreams { get; init; }
}
