using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Provisioning.Workflow;
using Portal.TestSupport;
using Quartz;

namespace Portal.Core.Tests.Provisioning;

/// <summary>A run waiting on its machine is woken by the machine's act instead of waiting for its next poll.</summary>
public sealed class ProvisioningWakeupTests : IAsyncLifetime
{
    private ServiceProvider services = default!;
    private IScheduler scheduler = default!;

    public async Task InitializeAsync()
    {
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton(TimeProvider.System);
        // In memory, with a name of its own: Quartz shares schedulers by name within a process.
        collection.AddQuartz(q => q.ConfigureScheduler(o => o.InstanceName = $"wake-{Guid.NewGuid():N}"));
        collection.AddSingleton<ProvisioningWakeup>();
        collection.AddTransient<RecordingJob>();
        services = collection.BuildServiceProvider();
        scheduler = await services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
    }

    public async Task DisposeAsync()
    {
        await scheduler.Shutdown(waitForJobsToComplete: false);
        await services.DisposeAsync();
    }

    [Fact]
    public async Task WakingARunWhoseNextPollIsAnHourAwayRunsItNowAndLeavesNoSecondTrigger()
    {
        const long deployment = 42;
        await ScheduleAsync(deployment, DateTimeOffset.UtcNow.AddHours(1));

        services.GetRequiredService<ProvisioningWakeup>().Wake(deployment);

        await Eventually.TrueAsync(() => RecordingJob.Runs.Contains(deployment), "the woken run to execute", TimeSpan.FromSeconds(10));
        // The one pending trigger was moved, not joined by another: nothing is left to fire again.
        // (Quartz removes a fired trigger just after the job returns, so this too is waited for.)
        await Eventually.TrueAsync(async () => (await scheduler.GetTriggersOfJob(ProvisioningSchedule.KeyOf(deployment))).Count == 0,
            "the fired trigger to be gone", TimeSpan.FromSeconds(10));
        Assert.Single(RecordingJob.Runs, d => d == deployment);
    }

    [Fact]
    public async Task WakingARunThatHasNoJobDoesNothing()
    {
        var wakeup = services.GetRequiredService<ProvisioningWakeup>();
        wakeup.Wake(4711);
        await Eventually.TrueAsync(() => wakeup.Pending == 0, "the wake to be handled", TimeSpan.FromSeconds(10));

        Assert.False(await scheduler.Exists(ProvisioningSchedule.KeyOf(4711)));
    }

    private async Task ScheduleAsync(long deployment, DateTimeOffset at)
    {
        var job = JobBuilder.Create<RecordingJob>().WithIdentity(ProvisioningSchedule.KeyOf(deployment)).UsingJobData("id", deployment).Build();
        var trigger = TriggerBuilder.Create().ForJob(job).StartAt(at).Build();
        await scheduler.ScheduleJob(job, trigger);
    }

    private sealed class RecordingJob : IJob
    {
        public static ConcurrentBag<long> Runs { get; } = [];

        public ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
        {
            Runs.Add(context.MergedJobDataMap.GetLong("id"));
            return ValueTask.CompletedTask;
        }
    }
}
