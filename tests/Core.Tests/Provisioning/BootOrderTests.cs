using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;

namespace Portal.Core.Tests.Provisioning;

/// <summary>
/// The persistent disk-first boot order a run sets on UEFI machines when it clears the one-time
/// override, against lab BMCs that show BootOptions and honour BootOrder (and one that does not).
/// </summary>
public sealed class BootOrderTests : IAsyncLifetime
{
    private ProvisioningTestHost host = default!;

    public async Task InitializeAsync() => host = await ProvisioningTestHost.StartAsync(vendors: ["dell", "supermicro"]);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task AUefiRunSetsTheDiskFirstAndTheNetworkEntriesAfterItSoALaterRebootStartsTheDisk()
    {
        var system = host.System();
        Assert.Equal(["Boot0001", "Boot0002", "Boot0003"], system.BootOrder); // as shipped: PXE, HTTP boot, then the disk
        var id = await host.ReserveAndStartAsync(system);

        var done = await host.PlayInstallAsync(id);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(["Boot0003", "Boot0001", "Boot0002"], system.BootOrder);
        var deployment = await host.DeploymentAsync(id);
        var note = Assert.Single(deployment.Events, e => e.Message.StartsWith("Boot order set to disk first"));
        Assert.Equal("clear-override", note.Phase);
        Assert.Contains("Boot0003 (UEFI OS on", note.Message);
        Assert.Contains("was Boot0001 (UEFI PXEv4", note.Message);

        system.Reset("ForceRestart");
        Assert.Equal("Hdd", system.LastBootSource);
    }

    [Fact]
    public async Task ASecondRunFindsTheDiskAlreadyFirstAndWritesNothing()
    {
        var system = host.System();
        system.SetBootOrder(["Boot0003", "Boot0002", "Boot0001"]);
        var id = await host.ReserveAndStartAsync(system);

        await host.PlayInstallAsync(id);

        Assert.Equal(["Boot0003", "Boot0002", "Boot0001"], system.BootOrder);
        Assert.Contains((await host.DeploymentAsync(id)).Events, e => e.Message.StartsWith("The boot order already starts with the disk"));
    }

    [Fact]
    public async Task ABiosMachineKeepsItsBootOrder()
    {
        var system = host.System();
        var machineId = host.Machines[system];
        await host.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""UPDATE "Machines" SET "BootMode" = 'Legacy' WHERE "Id" = {machineId}"""));
        var id = await host.ReserveAndStartAsync(system);

        var done = await host.PlayInstallAsync(id);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(["Boot0001", "Boot0002", "Boot0003"], system.BootOrder);
        Assert.DoesNotContain((await host.DeploymentAsync(id)).Events, e => e.Message.Contains("boot order", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AProfileWithTheOptionOffKeepsTheBootOrder()
    {
        await host.WithDbAsync(async db =>
        {
            (await db.OsProfiles.SingleAsync(p => p.Id == host.ProfileId)).SetDiskFirstBootOrder(false, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);

        await host.PlayInstallAsync(id);

        Assert.Equal(["Boot0001", "Boot0002", "Boot0003"], system.BootOrder);
        Assert.DoesNotContain((await host.DeploymentAsync(id)).Events, e => e.Message.Contains("boot order", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ABmcWithoutBootOptionsLeavesANoteOnTheTimelineAndTheRunStillReachesDeployed()
    {
        var system = host.System(bmc: 1);
        Assert.False(system.Bmc.Profile.BootOrder);
        var id = await host.ReserveAndStartAsync(system);

        var done = await host.PlayInstallAsync(id);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        var deployment = await host.DeploymentAsync(id);
        Assert.Equal(DeploymentState.Finished, deployment.State);
        var note = Assert.Single(deployment.Events, e => e.Message.StartsWith("Could not set a disk-first boot order"));
        Assert.Equal("clear-override", note.Phase);
        Assert.Contains("no Boot.BootOrder with BootOptions", note.Message);
    }

    [Fact]
    public async Task ABmcThatRefusesTheNewOrderLeavesANoteAndTheRunStillReachesDeployed()
    {
        var system = host.System();
        var id = await host.ReserveAndStartAsync(system);
        await host.PlayInstallAsync(id, until: ProvisioningStep.ClearOverride);
        // From here on the BMC shows its order but answers a new one with 400, as firmware that takes it only in its setup menu.
        system.Bmc.Faults = new Portal.Lab.FaultSettings { ReadOnlyBootOrder = true };

        var done = await host.DriveUntilAsync(id, ProvisioningStep.Deployed);

        system.Bmc.Faults = Portal.Lab.FaultSettings.None;
        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(["Boot0001", "Boot0002", "Boot0003"], system.BootOrder);
        var note = Assert.Single((await host.DeploymentAsync(id)).Events, e => e.Message.StartsWith("Could not set a disk-first boot order"));
        Assert.Contains("refused", note.Message);
    }
}
