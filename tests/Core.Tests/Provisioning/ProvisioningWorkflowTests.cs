using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Lab;

namespace Portal.Core.Tests.Provisioning;

/// <summary>The provisioning workflow against lab BMCs over real HTTPS and a real database, step by step.</summary>
public sealed class ProvisioningWorkflowTests : IAsyncLifetime
{
    private ProvisioningTestHost host = default!;

    public async Task InitializeAsync() => host = await ProvisioningTestHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<DeploymentWorkflow> InstallAsync(long deploymentId) => host.PlayInstallAsync(deploymentId);

    [Fact]
    public async Task ARunPowersOffSetsAOneTimePxeBootPowersOnAndReachesDeployedWithTheOverrideCleared()
    {
        var system = host.System();
        system.Reset("On"); // a machine running its previous OS
        var powerOns = system.PowerOnCount;
        var id = await host.ReserveAndStartAsync(system);

        var waiting = await host.DriveUntilAsync(id, ProvisioningStep.WaitForScriptFetch);

        Assert.Equal(ProvisioningStep.WaitForScriptFetch, waiting.Step);
        Assert.NotNull(waiting.Deadline);
        Assert.Equal(LabPowerState.On, system.PowerState);
        Assert.Equal(powerOns + 1, system.PowerOnCount);
        Assert.Equal("Pxe", system.LastBootSource);
        Assert.Equal("Disabled", system.Boot.Enabled); // the lab's BMC used the one-time override up at that boot

        await host.NetbootFetchAsync(id, "script");
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForConfigFetch);
        await host.NetbootFetchAsync(id, "config");
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForInstallerDone);
        await host.InstallerDoneAsync(id);
        await host.DriveUntilAsync(id, ProvisioningStep.ClearOverride);
        system.SetBootOverride(new BootOverride("Pxe", "Once", "UEFI")); // a BMC that keeps the override after booting
        var done = await host.DriveUntilAsync(id, ProvisioningStep.Deployed);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal("Disabled", system.Boot.Enabled);
        var deployment = await host.DeploymentAsync(id);
        Assert.Equal(DeploymentState.Finished, deployment.State);
        Assert.Equal(MachineState.Deployed, deployment.Machine!.State);
        var steps = deployment.Events.OrderBy(e => e.Id).Where(e => e.Kind == DeploymentEventKind.Step).Select(e => e.Phase).ToList();
        Assert.Equal(["started", "queued", "power-off", "set-pxe-override", "power-on", "wait-for-script-fetch", "wait-for-config-fetch", "wait-for-installer-done", "clear-override", "clear-override", "deployed"], steps);
        Assert.Contains(deployment.Events, e => e.Phase == "clear-override" && e.Message.Contains("Cleared the boot override (Pxe, Once)"));
        Assert.Contains(deployment.Events, e => e.Phase == "clear-override" && e.Message.StartsWith("Boot order set to disk first"));
        Assert.Equal(2, await host.WithDbAsync(db => db.PowerOperations.CountAsync(o => o.MachineId == deployment.MachineId)));
    }

    [Fact]
    public async Task AMachineThatAsksForItsScriptBeforeTheBmcConfirmsPowerOnIsListedAsOnJustBeforeItAsked()
    {
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);
        await host.DriveUntilAsync(id, ProvisioningStep.PowerOn);
        var powerOns = system.PowerOnCount;
        system.Bmc.Faults = new FaultSettings { LatencyMs = 300 }; // the power state is confirmed well after the machine came on

        var powerOn = host.StepAsync(id);
        while (system.PowerOnCount == powerOns) await Task.Delay(10);
        await host.NetbootFetchAsync(id, "script");
        await powerOn;
        system.Bmc.Faults = FaultSettings.None;
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForConfigFetch);

        var events = (await host.DeploymentAsync(id)).Events.OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
        var (on, script) = (events.Single(e => e.Phase == "power-on"), events.Single(e => e.Phase == "script"));
        Assert.Equal(script.At.AddTicks(-TimeSpan.TicksPerMicrosecond), on.At);
        Assert.Contains("the machine was netbooting", on.Message);
        Assert.Equal(["power-on", "script", "wait-for-script-fetch"], events.SkipWhile(e => e != on).Take(3).Select(e => e.Phase));
    }

    [Fact]
    public async Task RunningABmcStepAgainAfterACrashDoesNotRepeatTheActionItAlreadyCompleted()
    {
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForScriptFetch);
        var powerOns = system.PowerOnCount;
        // As if the Portal died after the BMC powered on but before the step was saved as done.
        await host.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""UPDATE "DeploymentWorkflows" SET "Step" = 'PowerOn' WHERE "DeploymentId" = {id}"""));

        await host.StepAsync(id);

        var workflow = await host.WorkflowAsync(id);
        Assert.Equal(ProvisioningStep.WaitForScriptFetch, workflow.Step);
        Assert.Equal(powerOns, system.PowerOnCount);
        var deployment = await host.DeploymentAsync(id);
        Assert.Contains(deployment.Events, e => e.Phase == "power-on" && e.Message.Contains("already On"));
    }

    [Fact]
    public async Task ABmcThatIsDownDuringPowerOnFailsTheRunWithTheReasonAndRetryThenSucceeds()
    {
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);
        await host.DriveUntilAsync(id, ProvisioningStep.PowerOn);
        system.Bmc.Faults = new FaultSettings { ErrorRate = 1, ErrorStatusCode = 500 };

        var failed = await host.DriveUntilAsync(id, ProvisioningStep.Deployed);

        system.Bmc.Faults = FaultSettings.None;
        Assert.Equal(ProvisioningStep.Failed, failed.Step);
        Assert.StartsWith("Power on failed after 2 attempts: The BMC", failed.LastError);
        var deployment = await host.DeploymentAsync(id);
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Equal(failed.LastError, deployment.FailureReason);
        Assert.Equal(MachineState.Failed, deployment.Machine!.State);
        Assert.Equal(LabPowerState.Off, system.PowerState);

        var retried = await host.WithProvisioningAsync(p => p.RetryAsync(id, ProvisioningTestHost.Alice));
        Assert.True(retried.Outcome.Succeeded, retried.Outcome.Message);
        var done = await InstallAsync(retried.DeploymentId!.Value);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(MachineState.Deployed, (await host.DeploymentAsync(retried.DeploymentId.Value)).Machine!.State);
        Assert.Equal("Pxe", system.LastBootSource);
    }

    [Fact]
    public async Task AMachineThatNeverFetchesItsScriptFailsWhenTheStepTimesOut()
    {
        var id = await host.ReserveAndStartAsync(host.System());

        var failed = await host.DriveUntilAsync(id, ProvisioningStep.Deployed);

        Assert.Equal(ProvisioningStep.Failed, failed.Step);
        Assert.StartsWith("The machine did not fetch its iPXE script within", failed.LastError);
        var deployment = await host.DeploymentAsync(id);
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Equal(MachineState.Failed, deployment.Machine!.State);
        Assert.True(deployment.Machine.IsHeldBy(ProvisioningTestHost.Alice.UserId));
    }

    [Fact]
    public async Task AnInstallerThatReportsFailureFailsTheRunAndTheMachineWithItsMessage()
    {
        var id = await host.ReserveAndStartAsync(host.System());
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForScriptFetch);
        await host.NetbootFetchAsync(id, "script");
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForConfigFetch);
        await host.NetbootFetchAsync(id, "config");
        await host.DriveUntilAsync(id, ProvisioningStep.WaitForInstallerDone);
        await host.InstallerFailedAsync(id, "no disk matched /dev/nvme0n1");

        var failed = await host.DriveUntilAsync(id, ProvisioningStep.Deployed);

        Assert.Equal(ProvisioningStep.Failed, failed.Step);
        Assert.Equal("no disk matched /dev/nvme0n1", failed.LastError);
        Assert.Equal(MachineState.Failed, (await host.DeploymentAsync(id)).Machine!.State);
    }

    [Fact]
    public async Task ACancelledRunStopsAtItsStepAndTheHolderKeepsTheMachine()
    {
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);
        await host.DriveUntilAsync(id, ProvisioningStep.SetPxeOverride);

        var cancelled = await host.WithProvisioningAsync(p => p.CancelAsync(id, ProvisioningTestHost.Alice));
        var next = await host.StepAsync(id);

        Assert.True(cancelled.Succeeded, cancelled.Message);
        Assert.Null(next);
        Assert.Equal(ProvisioningStep.Cancelled, (await host.WorkflowAsync(id)).Step);
        var deployment = await host.DeploymentAsync(id);
        Assert.Equal(DeploymentState.Cancelled, deployment.State);
        Assert.Equal(MachineState.Reserved, deployment.Machine!.State);
        Assert.Equal("Disabled", system.Boot.Enabled); // the step after the cancel never ran
        Assert.Contains(deployment.Events, e => e.Phase == "cancelled" && e.Message.Contains("Set one-time PXE boot"));
    }

    [Fact]
    public async Task OnlyTheHolderCanStartADeploymentAndOnlyWithAValidHostname()
    {
        var machineId = host.Machines[host.System()];
        var notHeld = await host.WithProvisioningAsync(p => p.StartAsync(host.Request(machineId), ProvisioningTestHost.Alice));
        Assert.Equal(OutcomeStatus.Forbidden, notHeld.Outcome.Status);

        await host.ReserveAndStartAsync(host.System(1));
        var id = host.Machines[host.System(1)];
        var otherUser = await host.WithProvisioningAsync(p => p.StartAsync(host.Request(id), ProvisioningTestHost.Bob));
        Assert.Equal(OutcomeStatus.Forbidden, otherUser.Outcome.Status);
        var twice = await host.WithProvisioningAsync(p => p.StartAsync(host.Request(id), ProvisioningTestHost.Alice));
        Assert.Equal(OutcomeStatus.Conflict, twice.Outcome.Status);
        Assert.Contains("already being provisioned", twice.Outcome.Message);

        await host.ReserveAsync(host.System());
        var badName = await host.WithProvisioningAsync(p => p.StartAsync(host.Request(machineId, "-bad_name"), ProvisioningTestHost.Alice));
        Assert.Equal(OutcomeStatus.Invalid, badName.Outcome.Status);
    }
}
