using Portal.Core.Live;

namespace Portal.Live;

internal static class LiveSetup
{
    public static void AddPortalLive(this WebApplicationBuilder builder)
    {
        builder.Services.AddPostgresLiveUpdates();
        builder.Services.AddSingleton<LiveEventHub>();
        builder.Services.AddSingleton<LiveConnectionState>();
        builder.Services.AddHostedService<LiveListener>();

        // LEGACY (htmx pages): the SignalR hub and its feed, until the last page is ported.
        builder.Services.AddSignalR();
        builder.Services.AddHostedService<LiveHubForwarder>();
    }

    public static void MapPortalLive(this WebApplication app) => app.MapHub<LiveHub>("/hubs/live");
}
