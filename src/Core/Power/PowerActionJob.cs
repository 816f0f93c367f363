using Quartz;

namespace Portal.Core.Power;

/// <summary>One power request. Thin: the runner does the work; the data map holds the operation id only.</summary>
public sealed class PowerActionJob(PowerActionRunner runner) : IJob
{
    public const string Group = "power";
    public const string OperationIdKey = "operationId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await runner.RunAsync(context.MergedJobDataMap.GetLong(OperationIdKey), cancellationToken);
}
