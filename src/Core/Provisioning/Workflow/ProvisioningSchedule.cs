using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// The Quartz side of a run: one non-durable job per deployment and one trigger per step run.
/// Quartz removes the job by itself once a run ends and no trigger is left.
/// </summary>
public static class ProvisioningSchedule
{
    public static JobKey KeyOf(long deploymentId) => new($"deployment-{deploymentId}", ProvisioningStepJob.Group);

    /// <summary>Starts (or resumes) a run's job now.</summary>
    public static async Task StartAsync(IScheduler scheduler, long deploymentId, CancellationToken ct)
    {
        var job = JobBuilder.Create<ProvisioningStepJob>().WithIdentity(KeyOf(deploymentId))
            .UsingJobData(ProvisioningStepJob.DeploymentIdKey, deploymentId).RequestRecovery().Build();
        await scheduler.ScheduleJob(job, [Trigger(deploymentId, DateTimeOffset.UtcNow)], new ScheduleJobOptions { Replace = true }, ct);
    }

    /// <summary>The next run of a job that exists (called from inside it, before it returns).</summary>
    public static async Task NextAsync(IScheduler scheduler, long deploymentId, DateTimeOffset at, CancellationToken ct) =>
        await scheduler.ScheduleJob(Trigger(deploymentId, at), new ScheduleJobOptions(), ct);

    private static ITrigger Trigger(long deploymentId, DateTimeOffset at) =>
        TriggerBuilder.Create().ForJob(KeyOf(deploymentId)).WithIdentity($"deployment-{deploymentId}-{Guid.NewGuid():N}", ProvisioningStepJob.Group)
            .StartAt(at).Build(); // a one-shot trigger missed while the Portal was down fires as soon as it is back
}
