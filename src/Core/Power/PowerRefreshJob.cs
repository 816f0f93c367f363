using Quartz;

namespace Portal.Core.Power;

/// <summary>Keeps power states fresh, a batch of the least recently checked machines per run.</summary>
[DisallowConcurrentExecution]
public sealed class PowerRefreshJob(PowerStateRefresher refresher) : IJob
{
    public static readonly JobKey Key = new("power-refresh", PowerActionJob.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await refresher.RefreshDueAsync(cancellationToken);
}
