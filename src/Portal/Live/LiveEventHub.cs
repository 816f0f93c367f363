namespace Portal.Live;

/// <summary>
/// The in-process side of live updates: one per Portal instance. The PostgreSQL listener calls
/// <see cref="Publish"/> for every "topic changed" notification (from any instance, or from SQL);
/// interactive components subscribe while they are on screen. A subscriber is told the topic, or
/// null for "anything may have changed" (the listener reconnected and may have missed some).
/// </summary>
public sealed class LiveEventHub
{
    private readonly Lock gate = new();
    private Subscription[] subscriptions = [];

    public IDisposable Subscribe(Func<string?, Task> onChanged)
    {
        var subscription = new Subscription(this, onChanged);
        lock (gate) subscriptions = [.. subscriptions, subscription];
        return subscription;
    }

    /// <summary>Tells every subscriber that <paramref name="topic"/> changed (null: everything).</summary>
    public void Publish(string? topic)
    {
        // A copy-on-write array: publishing never takes the lock and never waits for a subscriber.
        foreach (var subscription in Volatile.Read(ref subscriptions))
            _ = subscription.NotifyAsync(topic);
    }

    private void Remove(Subscription subscription)
    {
        lock (gate) subscriptions = [.. subscriptions.Where(s => s != subscription)];
    }

    private sealed class Subscription(LiveEventHub hub, Func<string?, Task> onChanged) : IDisposable
    {
        public async Task NotifyAsync(string? topic)
        {
            try { await onChanged(topic); }
            catch { /* a subscriber's failure is its own (components log their reload errors) */ }
        }

        public void Dispose() => hub.Remove(this);
    }
}
