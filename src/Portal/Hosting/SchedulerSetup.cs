using Portal.Core.Discovery.Runs;
using Portal.Core.Scheduling;

namespace Portal.Hosting;

internal static class SchedulerSetup
{
    public static void AddPortalScheduler(this WebApplicationBuilder builder)
    {
        var discoveryInterval = builder.Configuration.GetValue($"{DiscoveryOptions.SectionName}:IntervalMinutes", new DiscoveryOptions().IntervalMinutes);
        builder.Services.AddPortalScheduler(builder.Configuration.GetConnectionString("Portal")!, q =>
        {
            q.AddDiscoveryJob(discoveryInterval);
        }, builder.Configuration["Scheduler:Name"]);
    }
}
