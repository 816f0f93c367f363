using Microsoft.Extensions.Logging;
using Portal.Core.Scheduling;
using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// Wakes a run that waits on its machine. The netboot and phone-home handlers call it once the
/// machine's act is saved (script or config fetched, installer done or failed), so the waiting step
/// ends now rather than at its next poll, and the timeline reads in the order things happened.
/// The run's pending trigger is moved to now; a second trigger is never added, because each run of
/// the job schedules the next one and two triggers would double the chain. When the job is running
/// at that moment there is no pending trigger: the trigger it schedules next picks the act up.
/// The move is queued and made by one background loop, not on the machine's request: Quartz's
/// job store serialises trigger changes behind one lock, and a boot storm of thousands of fetches
/// would otherwise wait on it in turn. A wake lost to a shutdown is picked up by the run's next poll.
/// </summary>
public sealed class ProvisioningWakeup
{
    private readonly ISchedulerFactory schedulers;
    private readonly TimeProvider clock;
    private readonly ILogger<ProvisioningWakeup> logger;
    private readonly BatchQueue<long> queue;

    public ProvisioningWakeup(ISchedulerFactory schedulers, TimeProvider clock, ILogger<ProvisioningWakeup> logger)
    {
        (this.schedulers, this.clock, this.logger) = (schedulers, clock, logger);
        queue = new BatchQueue<long>(int.MaxValue, MoveAllToNowAsync, logger);
    }

    /// <summary>Wakes queued and not yet made (tests wait for it to reach 0).</summary>
    public long Pending => Interlocked.Read(ref queued) - Interlocked.Read(ref done);
    private long queued, done;

    /// <summary>Queues the wake; returns at once.</summary>
    public void Wake(long deploymentId)
    {
        Interlocked.Increment(ref queued);
        queue.Add(deploymentId);
    }

    private async Task MoveAllToNowAsync(List<long> woken)
    {
        // A run woken twice meanwhile (its script and its config) is moved once.
        foreach (var id in woken.Distinct()) await MoveToNowAsync(id);
        Interlocked.Add(ref done, woken.Count);
    }

    private async Task MoveToNowAsync(long deploymentId)
    {
        try
        {
            var scheduler = await schedulers.GetScheduler();
            var now = clock.GetUtcNow();
            foreach (var trigger in await scheduler.GetTriggersOfJob(ProvisioningSchedule.KeyOf(deploymentId)))
            {
                if (trigger.NextFireTimeUtc is not { } next || next <= now) continue;
                await scheduler.RescheduleJob(trigger.Key, trigger.GetTriggerBuilder().StartAt(now).Build());
            }
        }
        catch (Exception e)
        {
            // The act is saved already; the run's next poll sees it, only later.
            logger.LogWarning(e, "Could not wake deployment {DeploymentId}; its next poll picks the machine's act up", deploymentId);
        }
    }
}
