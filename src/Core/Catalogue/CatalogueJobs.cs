using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Core.Power;
using Portal.Core.Reservations;
using Quartz;

namespace Portal.Core.Catalogue;

/// <summary>
/// Puts the catalogue's periodic jobs (reservation expiry, power refresh) into the scheduler at
/// start-up, replacing what an earlier start stored, so changed intervals take effect.
/// Scheduled here rather than in the shared AddQuartz call so the feature stays self-contained.
/// </summary>
internal sealed class CatalogueJobs(ISchedulerFactory schedulers, IOptions<ReservationOptions> reservations, IOptions<PowerOptions> power) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await ScheduleAsync(scheduler, JobBuilder.Create<ReservationExpiryJob>().WithIdentity(ReservationExpiryJob.Key).StoreDurably().Build(), reservations.Value.ExpiryInterval, cancellationToken);
        if (power.Value.RefreshInterval > TimeSpan.Zero)
            await ScheduleAsync(scheduler, JobBuilder.Create<PowerRefreshJob>().WithIdentity(PowerRefreshJob.Key).StoreDurably().Build(), power.Value.RefreshInterval, cancellationToken);
        else
            await scheduler.DeleteJob(PowerRefreshJob.Key, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task ScheduleAsync(IScheduler scheduler, IJobDetail detail, TimeSpan interval, CancellationToken ct)
    {
        var trigger = TriggerBuilder.Create().ForJob(detail).WithIdentity(detail.Key.Name, detail.Key.Group)
            .StartAt(DateTimeOffset.UtcNow.Add(interval))
            .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever())
            .Build();
        await scheduler.ScheduleJob(detail, [trigger], new ScheduleJobOptions { Replace = true }, ct);
    }
}
