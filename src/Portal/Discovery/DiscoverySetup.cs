using Portal.Core.Discovery.Runs;

namespace Portal.Discovery;

internal static class DiscoverySetup
{
    public static void AddPortalDiscovery(this WebApplicationBuilder builder) =>
        builder.Services.AddDiscovery(builder.Configuration);
}
