namespace Portal.Core.Live;

/// <summary>Used where no browser can be listening (tools, Core-only tests).</summary>
internal sealed class NoLiveUpdates : ILiveUpdates
{
    public Task ChangedAsync(string topic, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
