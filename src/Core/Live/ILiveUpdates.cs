namespace Portal.Core.Live;

/// <summary>
/// Tells connected browsers that something changed ("audit", "machine:42"). Messages are tiny on
/// purpose: the page re-fetches the fragment it shows for that topic, so the server stays the
/// only place that renders HTML and no state travels over the hub.
/// </summary>
public interface ILiveUpdates
{
    Task ChangedAsync(string topic, CancellationToken cancellationToken = default);
}
