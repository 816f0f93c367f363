using Portal.Core.Live;

namespace Portal.Core.Discovery.Runs;

/// <summary>
/// The latest discovery run's counts, for the progress bar. Updates go out as "discovery" topic
/// changes at most every 200 ms (a thousand BMCs would otherwise mean a thousand pushes), and
/// "bmcs"/"machines" when the run ends.
/// </summary>
public sealed class DiscoveryProgressStore(ILiveUpdates live, TimeProvider clock)
{
    private readonly Lock gate = new();
    private DiscoveryProgress? current;
    private DateTimeOffset lastPush;

    public DiscoveryProgress? Current { get { lock (gate) return current; } }

    public Guid Start(int total, IReadOnlyList<string> issues, DateTimeOffset now)
    {
        var id = Guid.NewGuid();
        lock (gate) current = new DiscoveryProgress(id, total, 0, 0, 0, 0, 0, 0, false, now, null, [.. issues]);
        _ = live.ChangedAsync("discovery");
        return id;
    }

    public void Record(Guid run, OnboardOutcome outcome)
    {
        bool push;
        lock (gate)
        {
            if (current?.RunId != run) return;
            current = current with
            {
                Probed = current.Probed + 1,
                Inventoried = current.Inventoried + (outcome.Result == OnboardResult.Inventoried ? 1 : 0),
                PendingCredentials = current.PendingCredentials + (outcome.Result == OnboardResult.PendingCredentials ? 1 : 0),
                Failed = current.Failed + (outcome.Result == OnboardResult.Failed ? 1 : 0),
                NoBmc = current.NoBmc + (outcome.Result == OnboardResult.NoBmc ? 1 : 0),
                Machines = current.Machines + outcome.Machines,
                Issues = outcome.Issue is null || current.Issues.Count >= 200 ? current.Issues : [.. current.Issues, outcome.Issue],
            };
            var now = clock.GetUtcNow();
            push = now - lastPush > TimeSpan.FromMilliseconds(200);
            if (push) lastPush = now;
        }
        if (push) { _ = live.ChangedAsync("discovery"); _ = live.ChangedAsync("bmcs"); }
    }

    /// <summary>
    /// A run that stopped on an error: the running one is marked failed with the reason, or, when it
    /// failed before it had a progress record (reading the sources), a failed record replaces the
    /// previous run's — the page and the API must not keep showing that one as the latest.
    /// </summary>
    public DiscoveryProgress Fail(DateTimeOffset startedAt, string reason, DateTimeOffset now)
    {
        DiscoveryProgress result;
        lock (gate)
        {
            result = current is { Finished: false } running && running.StartedAt >= startedAt
                ? running with { Finished = true, FinishedAt = now, Error = reason }
                : new DiscoveryProgress(Guid.NewGuid(), 0, 0, 0, 0, 0, 0, 0, true, startedAt, now, [], reason);
            current = result;
        }
        _ = live.ChangedAsync("discovery");
        return result;
    }

    public DiscoveryProgress Finish(Guid run, DateTimeOffset now)
    {
        DiscoveryProgress result;
        lock (gate)
        {
            result = current!.RunId == run ? current with { Finished = true, FinishedAt = now } : current;
            if (current.RunId == run) current = result;
        }
        _ = live.ChangedAsync("discovery");
        _ = live.ChangedAsync("bmcs");
        _ = live.ChangedAsync("machines");
        return result;
    }
}
