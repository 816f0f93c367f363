using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;

namespace Portal.Core.Tests.Provisioning;

/// <summary>Admission control: runs beyond the limits wait in the Queued step, visibly, and start as slots free up.</summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private ProvisioningTestHost host = default!;

    public async Task InitializeAsync() => host = await ProvisioningTestHost.StartAsync(new()
    {
        ["Provisioning:MaxConcurrent"] = "2",
        ["Provisioning:MaxConcurrentPerVendor:Dell"] = "1",
        ["Provisioning:QueuePollInterval"] = "00:00:00.050",
    }, vendors: ["dell", "dell", "hpe", "lenovo"]);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task ASecondRunOfAFullVendorWaitsWhileAnotherVendorsRunBehindItIsAdmitted()
    {
        var dell1 = await host.ReserveAndStartAsync(host.System(0), "dell1.lab");
        var dell2 = await host.ReserveAndStartAsync(host.System(1), "dell2.lab");
        var hpe = await host.ReserveAndStartAsync(host.System(2), "hpe.lab");

        await host.StepAsync(dell1);
        await host.StepAsync(dell2);
        await host.StepAsync(hpe);

        Assert.Equal(ProvisioningStep.PowerOff, (await host.WorkflowAsync(dell1)).Step);
        var waiting = await host.WorkflowAsync(dell2);
        Assert.Equal(ProvisioningStep.Queued, waiting.Step);
        Assert.Equal("1 of 1 runs going for vendor dell (the vendor's limit); 0 runs of that vendor queued ahead", waiting.QueueReason);
        Assert.Equal(ProvisioningStep.PowerOff, (await host.WorkflowAsync(hpe)).Step);
        var timeline = await host.DeploymentAsync(dell2);
        Assert.Contains(timeline.Events, e => e.Phase == "queued" && e.Message.StartsWith("Queued: 1 of 1 runs going for vendor dell"));
    }

    [Fact]
    public async Task RunsBeyondTheOverallLimitWaitOldestFirstAndStartWhenARunEnds()
    {
        var first = await host.ReserveAndStartAsync(host.System(0), "a.lab");
        var second = await host.ReserveAndStartAsync(host.System(2), "b.lab");
        var third = await host.ReserveAndStartAsync(host.System(3), "c.lab");
        // Two slots, three runs: the two oldest get them even though the youngest looks first.
        await host.StepAsync(third);
        Assert.Equal(ProvisioningStep.Queued, (await host.WorkflowAsync(third)).Step);
        Assert.StartsWith("0 of 2 runs going (the overall limit); 2 runs queued ahead", (await host.WorkflowAsync(third)).QueueReason);

        await host.StepAsync(first);
        await host.StepAsync(second);
        await host.StepAsync(third);
        Assert.Equal(ProvisioningStep.PowerOff, (await host.WorkflowAsync(first)).Step);
        Assert.Equal(ProvisioningStep.PowerOff, (await host.WorkflowAsync(second)).Step);
        Assert.Equal(ProvisioningStep.Queued, (await host.WorkflowAsync(third)).Step);

        var done = await host.PlayInstallAsync(first);
        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        var admitted = await host.DriveUntilAsync(third, ProvisioningStep.PowerOff);
        Assert.Equal(ProvisioningStep.PowerOff, admitted.Step);
        Assert.Contains((await host.DeploymentAsync(third)).Events, e => e.Phase == "queued" && e.Message.StartsWith("Admitted after"));
    }

    [Fact]
    public async Task ARunCancelledInTheQueueEndsThereAndFreesTheMachineForItsHolder()
    {
        await host.ReserveAndStartAsync(host.System(0), "a.lab");
        await host.ReserveAndStartAsync(host.System(2), "b.lab");
        var third = await host.ReserveAndStartAsync(host.System(3), "c.lab");

        var cancelled = await host.WithProvisioningAsync(p => p.CancelAsync(third, ProvisioningTestHost.Alice));
        Assert.True(cancelled.Succeeded, cancelled.Message);
        Assert.Null(await host.StepAsync(third));

        Assert.Equal(ProvisioningStep.Cancelled, (await host.WorkflowAsync(third)).Step);
        var deployment = await host.DeploymentAsync(third);
        Assert.Equal(DeploymentState.Cancelled, deployment.State);
        Assert.Equal(MachineState.Reserved, deployment.Machine!.State);
    }
}
