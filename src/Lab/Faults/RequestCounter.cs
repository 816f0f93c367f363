namespace Portal.Lab.Faults;

/// <summary>
/// Lock-free per-BMC counters: tests use MaxInFlight to prove the Portal never sends more
/// than a couple of requests to one BMC at a time.
/// </summary>
internal sealed class RequestCounter
{
    private long requests;
    private int inFlight;
    private int maxInFlight;
    private long sessionsCreated;

    public void Enter()
    {
        Interlocked.Increment(ref requests);
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref maxInFlight)))
        {
            if (Interlocked.CompareExchange(ref maxInFlight, now, seen) == seen) break;
        }
    }

    public void Exit() => Interlocked.Decrement(ref inFlight);

    public void SessionCreated() => Interlocked.Increment(ref sessionsCreated);

    public BmcStats Snapshot(int openSessions = 0, int eventStreams = 0) =>
        new(Interlocked.Read(ref requests), Volatile.Read(ref inFlight), Volatile.Read(ref maxInFlight))
        {
            SessionsCreated = Interlocked.Read(ref sessionsCreated),
            OpenSessions = openSessions,
            EventStreams = eventStreams,
        };

    /// <summary>Zeroes the counts; requests still in flight stay counted in InFlight and seed the new maximum.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref requests, 0);
        Interlocked.Exchange(ref sessionsCreated, 0);
        Interlocked.Exchange(ref maxInFlight, Volatile.Read(ref inFlight));
    }
}
