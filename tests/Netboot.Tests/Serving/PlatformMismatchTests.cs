using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;

namespace Portal.Netboot.Tests.Serving;

/// <summary>
/// The firmware says what it booted as (iPXE's platform), the BMC what the machine is set to: when they
/// differ the timeline says so, and the installer is rendered for the firmware — or the run fails, if its profile says so.
/// </summary>
public sealed class PlatformMismatchTests : IAsyncLifetime
{
    private const string Mac = "52:54:00:dd:00:02";
    private PortalHost portal = null!;

    public async Task InitializeAsync() => portal = await PortalHost.StartAsync(_ => { });

    public async Task DisposeAsync() => await portal.DisposeAsync();

    private async Task<(long Deployment, string Script)> NetbootAsync(bool failOnMismatch)
    {
        await portal.WithDbAsync(async db =>
        {
            (await db.OsProfiles.SingleAsync(p => p.Name == "Lab installer")).SetFailOnPlatformMismatch(failOnMismatch, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });
        var machineId = await portal.CreateMachineAsync(Mac, Guid.NewGuid(), "SN-MISMATCH", bootMode: "Legacy");
        var (deploymentId, _) = await portal.StartDeploymentAsync(machineId, new Dictionary<string, string>());
        using var firmware = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{portal.Port}") };
        return (deploymentId, await firmware.GetStringAsync($"/netboot/machine.ipxe?mac={Mac}&platform=efi"));
    }

    private Task<Deployment> DeploymentAsync(long id) =>
        portal.WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Events).SingleAsync(d => d.Id == id));

    [Fact]
    public async Task ABiosMachineThatBootsUefiGetsAUefiInstallerAndAWarning()
    {
        var (id, script) = await NetbootAsync(failOnMismatch: false);

        Assert.Contains("initrd=initrd.img", script); // the EFI stub's way of finding its initrd
        var deployment = await DeploymentAsync(id);
        Assert.Equal(DeploymentState.Active, deployment.State);
        Assert.StartsWith("The firmware booted UEFI (iPXE platform efi), but the BMC reports BIOS: the installer is rendered for UEFI.",
            deployment.Events.Single(e => e.Phase == "platform-mismatch").Message);
    }

    [Fact]
    public async Task AProfileThatRefusesAMismatchFailsTheRunAndTheMachineBootsItsDisk()
    {
        var (id, script) = await NetbootAsync(failOnMismatch: true);

        Assert.Contains("Portal: booting from local disk", script);
        var deployment = await DeploymentAsync(id);
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.StartsWith("The firmware booted UEFI (iPXE platform efi), but the BMC reports BIOS; the profile fails the run", deployment.FailureReason);
        Assert.Null(deployment.IpxeScript);
    }
}
