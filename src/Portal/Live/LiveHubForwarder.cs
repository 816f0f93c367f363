using Microsoft.AspNetCore.SignalR;

namespace Portal.Live;

/// <summary>
/// LEGACY: the one place that feeds the SignalR hub of the htmx pages. It relays every topic of the
/// <see cref="LiveEventHub"/> to the browsers; when the last htmx page is ported, delete this file,
/// <see cref="LiveHub"/> and their lines in <see cref="LiveSetup"/>.
/// </summary>
internal sealed class LiveHubForwarder(LiveEventHub events, IHubContext<LiveHub> hub) : IHostedService
{
    private IDisposable? subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        subscription = events.Subscribe(topic =>
            // live.js has no "everything" message (it refreshes all on its own reconnect), and the
            // connection state is this instance's business, not the browsers'.
            topic is null or LiveConnectionState.Topic
                ? Task.CompletedTask
                : hub.Clients.All.SendAsync("changed", topic));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        subscription?.Dispose();
        return Task.CompletedTask;
    }
}
