using Microsoft.Extensions.Logging;
using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// Wakes a run that waits on its machine. The netboot and phone-home handlers call it once the
/// machine's act is saved (script or config fetched, installer done or failed), so the waiting step
/// ends now rather than at its next poll, and the timeline reads in the order things happened.
/// The run's pending trigger is moved to now; a second trigger is never added, because each run of
/// the job schedules the next one and two triggers would double the chain. When the job is running
/// at that moment there is no pending trigger: the trigger it schedules next picks the act up.
/// </summary>
public sealed class ProvisioningWakeup(ISchedulerFactory schedulers, TimeProvider clock, ILogger<ProvisioningWakeup> logger)
{
    public async Task WakeAsync(long deploymentId, CancellationToken ct = default)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler(ct);
            var now = clock.GetUtcNow();
            foreach (var trigger in await scheduler.GetTriggersOfJob(ProvisioningSchedule.KeyOf(deploymentId), ct))
            {
                if (trigger.NextFireTimeUtc is not { } next || next <= now) continue;
                await scheduler.RescheduleJob(trigger.Key, trigger.GetTriggerBuilder().StartAt(now).Build(), ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The act is saved already; the run's next poll sees it, only later.
            logger.LogWarning(e, "Could not wake deployment {DeploymentId}; its next poll picks the machine's act up", deploymentId);
        }
    }
}
