using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.Netboot.Tests.RealFirmware;

/// <summary>
/// QEMU's own iPXE firmware boots against the real Portal host and its database: bootstrap,
/// per-machine script, kernel, initrd; the lab installer fetches its config, posts its phases and
/// powers off; the deployment's timeline shows it all in order; the Deployed machine then boots its disk.
/// </summary>
public sealed class RealFirmwareTests(ITestOutputHelper output)
{
    private const string Mac = "12:44:6a:3b:04:11";
    private const string Serial = "SN-LAB-1";
    private static readonly Guid Uuid = Guid.Parse("11111111-2222-3333-4444-555555555555");

    [QemuFact]
    public async Task ProvisioningMachineInstallsThroughThePortalAndOnceDeployedBootsItsLocalDisk()
    {
        var labInstaller = await LabInstallerBuild.EnsureAsync();
        await using var portal = await PortalHost.StartAsync(labInstaller);
        var machineId = await portal.CreateMachineAsync(Mac, Uuid, Serial);
        var (deploymentId, _) = await portal.StartDeploymentAsync(machineId, new Dictionary<string, string> { ["install_seconds"] = "0" });

        var clock = Stopwatch.StartNew();
        await using (var vm = Qemu.Start(portal.Port, Mac, Serial, Uuid))
        {
            var exited = await vm.WaitForExitAsync(TimeSpan.FromMinutes(3));
            output.WriteLine($"QEMU ran {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(exited, $"QEMU did not power off within 3 minutes. Console:\n{vm.ConsoleTail()}");
        }

        var timeline = await portal.WithDbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == deploymentId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync());
        output.WriteLine("timeline:\n  " + string.Join("\n  ", timeline.Select(e => $"{e.Kind} {e.Phase} {e.Percent} {e.Message}")));
        Assert.Equal(
            ["Step started", "Netboot rendered", "Netboot script", "Netboot download", "Netboot download", "Netboot config", "Installer pre", "Installer progress 50", "Installer post 90", "Installer done 100"],
            timeline.Select(e => $"{e.Kind} {e.Phase}{(e.Percent is { } p ? " " + p : "")}"));
        // Debian's BIOS iPXE is a 32-bit build, so it reports buildarch i386.
        Assert.Contains($"mac={Mac} uuid={Uuid} serial={Serial} ipxe-build=i386 platform=pcbios", timeline[2].Message);
        Assert.Equal("lab installer finished for web-01", timeline[^1].Message);
        // iPXE's kernel and initrd downloads, each with its size: a stalled one would show as a warning.
        Assert.Equal(["vmlinuz", "initrd.img"], timeline.Where(e => e.Phase == "download").Select(e => e.Message.Split(' ')[1]));
        using (var facts = JsonDocument.Parse(timeline.Single(e => e.Phase == "pre").FactsJson!))
        {
            Assert.True(facts.RootElement.GetProperty("memory_bytes").GetInt64() > 256L * 1024 * 1024);
            Assert.Equal(Mac, facts.RootElement.GetProperty("nics")[0].GetProperty("mac").GetString());
        }
        var deployment = await portal.WithDbAsync(db => db.Deployments.Include(d => d.Machine).SingleAsync(d => d.Id == deploymentId));
        Assert.Equal((DeploymentState.Finished, MachineState.Deployed), (deployment.State, deployment.Machine!.State));

        // Same machine, now Deployed: the portal answers with the local-disk script and no installer.
        await using (var vm = Qemu.Start(portal.Port, Mac, Serial, Uuid))
        {
            var deadline = Stopwatch.StartNew();
            while (!vm.Console.Contains("Portal: booting from local disk", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromMinutes(2))
                await Task.Delay(250);
            Assert.Contains("Portal: booting from local disk", vm.Console);
            Assert.DoesNotContain("vmlinuz", vm.Console);
        }
        Assert.Equal(timeline.Count, await portal.WithDbAsync(db => db.DeploymentEvents.CountAsync(e => e.DeploymentId == deploymentId)));
    }

    [QemuFact]
    public async Task AMachineItsBmcCallsUefiThatBootsBiosIsInstalledForBiosWithAWarningOnItsTimeline()
    {
        var labInstaller = await LabInstallerBuild.EnsureAsync();
        await using var portal = await PortalHost.StartAsync(labInstaller);
        var machineId = await portal.CreateMachineAsync(Mac, Uuid, Serial, bootMode: "UEFI");
        var (deploymentId, _) = await portal.StartDeploymentAsync(machineId, new Dictionary<string, string>());

        await using (Qemu.Start(portal.Port, Mac, Serial, Uuid)) // SeaBIOS: what really runs
            await Eventually.TrueAsync(() => portal.WithDbAsync(db => db.DeploymentEvents.AnyAsync(e => e.DeploymentId == deploymentId && e.Phase == "download")),
                "the firmware fetches its script and starts on the kernel", TimeSpan.FromMinutes(2));

        var events = await portal.WithDbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == deploymentId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync());
        Assert.StartsWith("The firmware booted BIOS (iPXE platform pcbios), but the BMC reports UEFI: the installer is rendered for BIOS.",
            events.Single(e => e.Phase == "platform-mismatch").Message);
        Assert.Contains("Rendered the installer script (BIOS)", events.Single(e => e.Phase == "rendered").Message);
    }
}
