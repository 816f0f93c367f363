using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;
using Portal.Core.Power;
using Portal.Core.Provisioning.Workflow;
using Quartz;

namespace Portal.Core.Scheduling;

/// <summary>
/// Gives work that lost its Quartz job its job back. A run schedules its next step from inside the
/// step; when that fails (the database away for a moment) the run is left active with no trigger,
/// its token live, forever. A power operation whose Portal died mid-action stays Running and blocks
/// every later power action on the machine. Runs at start-up and every <see cref="ProvisioningOptions.SweepInterval"/>.
/// </summary>
/// <remarks>
/// Only what has had no job for a whole interval is touched: a run or an operation is saved a moment
/// before its job is stored, and a job exists for as long as one of its triggers is executing.
/// </remarks>
public sealed class RunSweep(IServiceScopeFactory scopes, ISchedulerFactory schedulers, IOptions<ProvisioningOptions> options, TimeProvider clock, ILogger<RunSweep> logger)
{
    private static readonly ProvisioningStep[] Ended = Enum.GetValues<ProvisioningStep>().Where(s => s.IsTerminal()).ToArray();

    public sealed record Swept(int RunsResumed, int PowerOperationsResumed);

    public async Task<Swept> SweepAsync(CancellationToken ct)
    {
        var before = clock.GetUtcNow() - options.Value.SweepInterval;
        List<long> runs, operations;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            runs = await db.DeploymentWorkflows.AsNoTracking().Where(w => !Ended.Contains(w.Step) && w.UpdatedAt < before)
                .Select(w => w.DeploymentId).ToListAsync(ct);
            operations = await db.PowerOperations.AsNoTracking()
                .Where(o => (o.Status == PowerOperationStatus.Pending || o.Status == PowerOperationStatus.Running) && o.RequestedAt < before)
                .Select(o => o.Id).ToListAsync(ct);
        }
        var scheduler = await schedulers.GetScheduler(ct);
        var resumedRuns = 0;
        foreach (var id in runs)
        {
            if (await scheduler.GetJobDetail(ProvisioningSchedule.KeyOf(id), ct) is not null) continue;
            logger.LogWarning("Deployment {Deployment} is active but had no scheduled step; resuming it", id);
            await ProvisioningSchedule.StartAsync(scheduler, id, ct);
            resumedRuns++;
        }
        var resumedOperations = 0;
        foreach (var id in operations)
        {
            if (await scheduler.GetJobDetail(PowerActionJob.KeyOf(id), ct) is not null) continue;
            // The runner finishes an operation that was already under way without repeating the Reset.
            logger.LogWarning("Power operation {Operation} is unfinished but has no job (its Portal stopped?); resuming it", id);
            await PowerActionJob.ScheduleAsync(scheduler, id, ct);
            resumedOperations++;
        }
        return new(resumedRuns, resumedOperations);
    }
}

/// <summary>The periodic sweep (thin; one at a time across the cluster).</summary>
[DisallowConcurrentExecution]
public sealed class RunSweepJob(RunSweep sweep) : IJob
{
    public static readonly JobKey Key = new("run-sweep", "maintenance");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await sweep.SweepAsync(cancellationToken);
}
