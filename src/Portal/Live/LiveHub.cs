using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Portal.Core.Live;

namespace Portal.Live;

/// <summary>
/// Browsers listen here for "changed(topic)" and re-fetch the fragments showing that topic.
/// Nothing is sent from the browser; the hub only pushes.
/// </summary>
[Authorize]
internal sealed class LiveHub : Hub;

internal sealed class HubLiveUpdates(IHubContext<LiveHub> hub, LiveEventHub events) : ILiveUpdates
{
    public Task ChangedAsync(string topic, CancellationToken cancellationToken = default)
    {
        events.Publish(topic);
        return hub.Clients.All.SendAsync("changed", topic, cancellationToken);
    }
}

internal static class LiveSetup
{
    public static void AddPortalLive(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<LiveEventHub>();
        builder.Services.AddSingleton<ILiveUpdates, HubLiveUpdates>();
    }

    public static void MapPortalLive(this WebApplication app) => app.MapHub<LiveHub>("/hubs/live");
}
