using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Lab;

namespace Portal.Core.Tests.Provisioning;

/// <summary>Releasing a deployed machine: an optional wipe, a power-off through the BMC, then Available — or Failed with the reason.</summary>
public sealed class ReleaseTests : IAsyncLifetime
{
    private ProvisioningTestHost host = default!;

    public async Task InitializeAsync() => host = await ProvisioningTestHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private async Task<LabSystem> DeployedAsync()
    {
        var system = host.System();
        var done = await host.PlayInstallAsync(await host.ReserveAndStartAsync(system));
        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        return system;
    }

    [Fact]
    public async Task ReleasingADeployedMachinePowersItOffAndOffersItAgain()
    {
        var system = await DeployedAsync();
        system.Reset("On"); // running its new OS

        var started = await host.ReleaseAsync(system);
        Assert.True(started.Outcome.Succeeded, started.Outcome.Message);
        Assert.Equal(MachineState.Releasing, (await host.MachineAsync(system)).State);
        var done = await host.DriveUntilAsync(started.DeploymentId!.Value, ProvisioningStep.Released);

        Assert.Equal(ProvisioningStep.Released, done.Step);
        Assert.Equal(LabPowerState.Off, system.PowerState);
        var machine = await host.MachineAsync(system);
        Assert.Equal(MachineState.Available, machine.State);
        Assert.False(machine.IsHeld);
        var release = await host.DeploymentAsync(started.DeploymentId.Value);
        Assert.Equal(DeploymentKind.Release, release.Kind);
        Assert.Equal(DeploymentState.Finished, release.State);
        Assert.Equal(["started", "release-power-off"], release.Events.OrderBy(e => e.Id).Select(e => e.Phase));
    }

    [Fact]
    public async Task AReleaseWithAWipeNetbootsTheWipeProfileBeforeThePowerOff()
    {
        var system = await DeployedAsync();

        var started = await host.ReleaseAsync(system, wipeProfileId: host.ProfileId);
        Assert.True(started.Outcome.Succeeded, started.Outcome.Message);
        var id = started.DeploymentId!.Value;
        var done = await host.PlayInstallAsync(id, until: ProvisioningStep.Released);

        Assert.Equal(ProvisioningStep.Released, done.Step);
        Assert.Equal(LabPowerState.Off, system.PowerState);
        Assert.Equal("Pxe", system.LastBootSource);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(system)).State);
        var steps = (await host.DeploymentAsync(id)).Events.OrderBy(e => e.Id).Where(e => e.Kind == DeploymentEventKind.Step).Select(e => e.Phase);
        Assert.Equal(["started", "queued", "power-off", "set-pxe-override", "power-on", "wait-for-script-fetch", "wait-for-config-fetch",
            "wait-for-installer-done", "clear-override", "release-power-off"], steps);
    }

    [Fact]
    public async Task AReleaseWhoseBmcIsDownLeavesTheMachineFailedWithItsHolderAndReleasingAgainWorks()
    {
        var system = await DeployedAsync();
        system.Reset("On");
        system.Bmc.Faults = new FaultSettings { ErrorRate = 1, ErrorStatusCode = 500 };

        var started = await host.ReleaseAsync(system);
        var failed = await host.DriveUntilAsync(started.DeploymentId!.Value, ProvisioningStep.Released);
        system.Bmc.Faults = FaultSettings.None;

        Assert.Equal(ProvisioningStep.Failed, failed.Step);
        Assert.StartsWith("Power off for release failed after 2 attempts: The BMC", failed.LastError);
        var machine = await host.MachineAsync(system);
        Assert.Equal(MachineState.Failed, machine.State);
        Assert.True(machine.IsHeldBy(ProvisioningTestHost.Alice.UserId));

        var again = await host.WithProvisioningAsync(p => p.RetryAsync(started.DeploymentId.Value, ProvisioningTestHost.Alice));
        Assert.True(again.Outcome.Succeeded, again.Outcome.Message);
        Assert.Equal(ProvisioningStep.Released, (await host.DriveUntilAsync(again.DeploymentId!.Value, ProvisioningStep.Released)).Step);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(system)).State);
    }

    [Fact]
    public async Task AReservationThatLapsesOnADeployedMachineGetsAReleaseRunThatPowersItOff()
    {
        var system = await DeployedAsync();
        system.Reset("On");
        await host.WithDbAsync(db => db.Machines.Where(m => m.Id == host.Machines[system])
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ReservedUntil, DateTimeOffset.UtcNow.AddMinutes(-1))));

        await new Reservations.ReservationExpiryJob(host.Services.GetRequiredService<IServiceScopeFactory>()).Execute(null!, default);

        var release = await host.WithDbAsync(db => db.Deployments.AsNoTracking().SingleAsync(d => d.MachineId == host.Machines[system] && d.Kind == DeploymentKind.Release));
        Assert.Equal(ProvisioningStep.Released, (await host.DriveUntilAsync(release.Id, ProvisioningStep.Released)).Step);
        Assert.Equal(LabPowerState.Off, system.PowerState);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(system)).State);
    }

    [Fact]
    public async Task OnlyTheHolderReleasesAndAMachineMidInstallCannotBeReleased()
    {
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);

        var byBob = await host.WithProvisioningAsync(p => p.ReleaseAsync(host.Machines[system], null, ProvisioningTestHost.Bob));
        var midInstall = await host.ReleaseAsync(system);

        Assert.Equal(Reservations.OutcomeStatus.Forbidden, byBob.Outcome.Status);
        Assert.Equal(Reservations.OutcomeStatus.Conflict, midInstall.Outcome.Status);
        Assert.Contains("is being provisioned; cancel that run first", midInstall.Outcome.Message);
        Assert.Equal(ProvisioningStep.Queued, (await host.WorkflowAsync(id)).Step);
    }

    [Fact]
    public async Task AProfileThatRestartsAfterInstallPowersTheMachineBackOnIntoItsNewOs()
    {
        await host.WithDbAsync(async db =>
        {
            var profile = await db.OsProfiles.SingleAsync(p => p.Id == host.ProfileId);
            profile.SetRestartAfterInstall(true, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);
        await host.PlayInstallAsync(id, until: ProvisioningStep.ClearOverride);
        system.Reset("ForceOff"); // the installer powered off at its end
        var powerOns = system.PowerOnCount;

        var done = await host.DriveUntilAsync(id, ProvisioningStep.Deployed);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(LabPowerState.On, system.PowerState);
        Assert.Equal(powerOns + 1, system.PowerOnCount);
        Assert.Contains((await host.DeploymentAsync(id)).Events, e => e.Phase == "restart" && e.Message.StartsWith("Restart into the installed OS: Power on done"));
    }
}
