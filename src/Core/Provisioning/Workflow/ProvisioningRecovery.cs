using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Core.Scheduling;
using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// At start-up, sweeps once (see <see cref="RunSweep"/>: runs and power operations that lost their
/// job get it back) and stores the periodic sweep, replacing what an earlier start stored.
/// </summary>
internal sealed class ProvisioningRecovery(RunSweep sweep, ISchedulerFactory schedulers, IOptions<ProvisioningOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await sweep.SweepAsync(cancellationToken);
        var interval = options.Value.SweepInterval;
        var job = JobBuilder.Create<RunSweepJob>().WithIdentity(RunSweepJob.Key).StoreDurably().Build();
        var trigger = TriggerBuilder.Create().ForJob(job).WithIdentity(RunSweepJob.Key.Name, RunSweepJob.Key.Group)
            .StartAt(DateTimeOffset.UtcNow.Add(interval)).WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()).Build();
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
