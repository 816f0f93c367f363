using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Quartz;

namespace Portal.Core.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Quartz with its ADO job store in the Portal database, clustered so several Portal instances
    /// share work and a job survives a restart. The schema comes from our migrations, so Quartz only
    /// validates it at start.
    /// </summary>
    /// <param name="schedulerName">
    /// The cluster's name: every instance of one Portal must use the same (it keys the job store's
    /// rows). Quartz also shares schedulers by name within a process, so several Portal hosts in one
    /// process (tests) each need their own. Null keeps Quartz's default.
    /// </param>
    public static IServiceCollection AddPortalScheduler(this IServiceCollection services, string connectionString, Action<IQuartzBuilder>? jobs = null,
        string? schedulerName = null)
    {
        services.AddQuartz(q =>
        {
            if (!string.IsNullOrWhiteSpace(schedulerName)) q.ConfigureScheduler(o => o.InstanceName = schedulerName);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer(_ => { });
                store.UseClustering(_ => { });
                store.ConfigureStore(o =>
                {
                    o.TablePrefix = SchemaMigration.QuartzTablePrefix;
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                });
            });
            jobs?.Invoke(q);
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
