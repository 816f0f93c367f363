using Microsoft.Extensions.Logging;
using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// Runs one step of one deployment and schedules the next run. Thin: the runner does the work;
/// the data map holds the deployment id only. One job per deployment, never two runs of it at once.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ProvisioningStepJob(ProvisioningStepRunner runner, TimeProvider clock, ILogger<ProvisioningStepJob> logger) : IJob
{
    public const string Group = "provisioning";
    public const string DeploymentIdKey = "deploymentId";

    /// <summary>After an unexpected error (database briefly away...) the step is tried again this much later.</summary>
    private static readonly TimeSpan ErrorRetry = TimeSpan.FromSeconds(15);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var deploymentId = context.MergedJobDataMap.GetLong(DeploymentIdKey);
        DateTimeOffset? next;
        try
        {
            next = await runner.RunStepAsync(deploymentId, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The Portal is stopping: the step is run again when it is back (the trigger is in the database).
            next = clock.GetUtcNow();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Step of deployment {Deployment} failed unexpectedly; trying again in {Delay}", deploymentId, ErrorRetry);
            next = clock.GetUtcNow() + ErrorRetry;
        }
        if (next is { } at) await ProvisioningSchedule.NextAsync(context.Scheduler, deploymentId, at, CancellationToken.None);
    }
}
