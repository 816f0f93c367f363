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
    }
}
