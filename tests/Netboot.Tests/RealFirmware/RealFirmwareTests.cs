using System.Diagnostics;
using Portal.Netboot.Inputs;
using Xunit.Abstractions;

namespace Portal.Netboot.Tests.RealFirmware;

/// <summary>
/// QEMU's own iPXE firmware boots against the netboot routes: bootstrap, per-machine script,
/// kernel, initrd, then the lab installer fetches its config and posts its events and powers off.
/// </summary>
public sealed class RealFirmwareTests(ITestOutputHelper output)
{
    private const string Mac = "12:44:6a:3b:04:11";
    private const string Serial = "SN-LAB-1";
    private static readonly Guid Uuid = Guid.Parse("11111111-2222-3333-4444-555555555555");

    private static NetbootMachine Machine => Samples.Machine with { Macs = [Mac], Serial = Serial, Uuid = Uuid };

    private static NetbootDeployment Deployment => Samples.Deployment with
    {
        Token = NetbootToken.New(),
        Parameters = new Dictionary<string, string> { ["install_seconds"] = "0" },
    };

    [QemuFact]
    public async Task ProvisioningMachineBootsTheLabInstallerWhichFetchesItsConfigAndReportsEachPhase()
    {
        var bootFiles = await LabInstallerBuild.EnsureAsync();
        await using var portal = await FakePortal.StartAsync(bootFiles, Machine, Deployment);

        var clock = Stopwatch.StartNew();
        await using var vm = Qemu.Start(portal.Port, Mac, Serial, Uuid);
        var exited = await vm.WaitForExitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"QEMU ran {clock.Elapsed.TotalSeconds:F1} s; timeline:\n  {string.Join("\n  ", portal.Timeline)}");

        Assert.True(exited, $"QEMU did not power off within 3 minutes. Console:\n{vm.ConsoleTail()}");
        Assert.Equal(
            [
                "bootstrap",
                $"script mac={Mac} uuid={Uuid} serial={Serial} platform=pcbios -> installer",
                "kernel",
                "initrd",
                "config",
                "event pre",
                "event progress 50",
                "event done 100",
            ],
            portal.Timeline);

        var facts = portal.Events[0].Facts!;
        Assert.True(facts.MemoryBytes > 256L * 1024 * 1024, $"memory_bytes {facts.MemoryBytes}");
        Assert.True(facts.CpuThreads >= 1);
        Assert.False(string.IsNullOrEmpty(facts.CpuModel));
        Assert.Equal(Mac, Assert.Single(facts.Nics).Mac);
        Assert.Equal("lab installer finished for web-01", portal.Events[^1].Message);
    }

    [QemuFact]
    public async Task DeployedMachineGetsTheLocalDiskScriptAndNoInstaller()
    {
        var bootFiles = await LabInstallerBuild.EnsureAsync();
        await using var portal = await FakePortal.StartAsync(bootFiles, Machine, Deployment);
        portal.Provisioning = false;

        await using var vm = Qemu.Start(portal.Port, Mac, Serial, Uuid);
        // With nothing else to boot, the firmware stays up after `exit`, so wait for the message and stop it.
        var deadline = Stopwatch.StartNew();
        while (!vm.Console.Contains("Portal: booting from local disk", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromMinutes(2))
            await Task.Delay(250);
        await Task.Delay(TimeSpan.FromSeconds(2));
        output.WriteLine($"timeline:\n  {string.Join("\n  ", portal.Timeline)}");

        Assert.Contains("Portal: booting from local disk", vm.Console);
        Assert.Equal(
            ["bootstrap", $"script mac={Mac} uuid={Uuid} serial={Serial} platform=pcbios -> local disk"],
            portal.Timeline);
    }
}
