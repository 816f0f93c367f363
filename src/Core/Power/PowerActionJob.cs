using Quartz;

namespace Portal.Core.Power;

/// <summary>One power request. Thin: the runner does the work; the data map holds the operation id only.</summary>
public sealed class PowerActionJob(PowerActionRunner runner) : IJob
{
    public const string Group = "power";
    public const string OperationIdKey = "operationId";

    public static JobKey KeyOf(long operationId) => new($"power-{operationId}", Group);

    /// <summary>Runs the operation now; recovered after a crash (the runner then finishes it without a second Reset).</summary>
    public static async Task ScheduleAsync(IScheduler scheduler, long operationId, CancellationToken ct) =>
        await scheduler.ScheduleJob(
            JobBuilder.Create<PowerActionJob>().WithIdentity(KeyOf(operationId)).UsingJobData(OperationIdKey, operationId).RequestRecovery().Build(),
            [TriggerBuilder.Create().WithIdentity($"power-{operationId}", Group).StartNow().Build()], new ScheduleJobOptions { Replace = true }, ct);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await runner.RunAsync(context.MergedJobDataMap.GetLong(OperationIdKey), cancellationToken);
}
