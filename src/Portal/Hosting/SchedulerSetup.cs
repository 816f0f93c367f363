using Portal.Core.Scheduling;

namespace Portal.Hosting;

internal static class SchedulerSetup
{
    public static void AddPortalScheduler(this WebApplicationBuilder builder) =>
        builder.Services.AddPortalScheduler(builder.Configuration.GetConnectionString("Portal")!);
}
