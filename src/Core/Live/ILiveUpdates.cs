namespace Portal.Core.Live;

/// <summary>
/// Tells open pages, on every Portal instance, that something changed ("audit", "machine:42").
/// Messages are tiny on purpose: a page re-reads what it shows for that topic, so no state
/// travels with the message.
/// </summary>
public interface ILiveUpdates
{
    Task ChangedAsync(string topic, CancellationToken cancellationToken = default);
}
