namespace Portal.Live;

public enum LiveConnectionStatus { Connecting, Connected, Reconnecting }

/// <param name="Since">When the status last changed (UTC).</param>
public sealed record LiveConnection(LiveConnectionStatus Status, DateTimeOffset Since);

/// <summary>
/// Whether this instance hears the database's change notifications right now, for a connection
/// indicator. A change is announced on the <see cref="LiveEventHub"/> as <see cref="Topic"/>, so a
/// component needs no second subscription: it re-reads <see cref="Current"/> when told.
/// </summary>
public sealed class LiveConnectionState(LiveEventHub events, TimeProvider clock)
{
    public const string Topic = "live-connection";

    private LiveConnection current = new(LiveConnectionStatus.Connecting, clock.GetUtcNow());

    public LiveConnection Current => Volatile.Read(ref current);

    internal void Set(LiveConnectionStatus status)
    {
        // Only the listener writes, from one loop, so read-compare-write needs no lock.
        if (Current.Status == status) return;
        Volatile.Write(ref current, new LiveConnection(status, clock.GetUtcNow()));
        events.Publish(Topic);
    }
}
