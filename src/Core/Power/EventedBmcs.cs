using System.Collections.Concurrent;

namespace Portal.Core.Power;

/// <summary>
/// The BMCs whose event stream is open right now. The refresh job polls their machines only
/// every <see cref="PowerOptions.EventedRefreshInterval"/>; events bring their changes at once.
/// </summary>
public sealed class EventedBmcs
{
    private readonly ConcurrentDictionary<long, byte> _open = new();

    public void Opened(long bmcId) => _open[bmcId] = 0;

    public void Closed(long bmcId) => _open.TryRemove(bmcId, out _);

    public bool IsOpen(long bmcId) => _open.ContainsKey(bmcId);

    public long[] Snapshot() => _open.Keys.ToArray();
}
