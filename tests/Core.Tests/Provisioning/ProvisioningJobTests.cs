using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Machines;
using Portal.Core.Provisioning.Workflow;
using Quartz;

namespace Portal.Core.Tests.Provisioning;

/// <summary>The same run, carried by Quartz: each job runs one step and schedules the next.</summary>
public sealed class ProvisioningJobTests : IAsyncLifetime
{
    private ProvisioningTestHost host = default!;

    public async Task InitializeAsync() => host = await ProvisioningTestHost.StartAsync(new()
    {
        // The scheduler runs on its own here: deadlines long enough for the test to play the installer.
        ["Provisioning:ScriptFetchTimeout"] = "00:01:00", ["Provisioning:ConfigFetchTimeout"] = "00:01:00", ["Provisioning:InstallerTimeout"] = "00:01:00",
    });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task TheSchedulerCarriesARunFromStartToDeployed()
    {
        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
        var system = host.System();

        var id = await host.ReserveAndStartAsync(system);
        // The netboot side may report before the workflow waits for it: the timeline keeps what arrived.
        await host.NetbootFetchAsync(id, "script");
        await host.NetbootFetchAsync(id, "config");
        Assert.Equal(ProvisioningStep.WaitForInstallerDone, (await WaitForAsync(id, ProvisioningStep.WaitForInstallerDone)).Step);
        await host.InstallerDoneAsync(id);
        var done = await WaitForAsync(id, ProvisioningStep.Deployed);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(MachineState.Deployed, (await host.DeploymentAsync(id)).Machine!.State);
        Assert.Equal("Pxe", system.LastBootSource);
        await scheduler.Shutdown(waitForJobsToComplete: true);
    }

    /// <summary>Watches the database while Quartz works; the limit is a hang guard, not a speed requirement.</summary>
    private async Task<DeploymentWorkflow> WaitForAsync(long id, ProvisioningStep step)
    {
        var guard = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            var workflow = await host.WorkflowAsync(id);
            if (workflow.Step == step || workflow.IsFinished || DateTimeOffset.UtcNow > guard) return workflow;
            await Task.Delay(50);
        }
    }
}
