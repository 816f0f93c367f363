using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Core.Users;
using Portal.Lab;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.EndToEnd.Provisioning;

/// <summary>
/// Lab VMs on both firmwares against the real Portal: the lab's second VM boots SeaBIOS (Redfish
/// boot mode Legacy) and is provisioned to Deployed, then starts its installed system from disk;
/// a UEFI VM the Portal does not know is told to boot locally and reaches its disk at once,
/// instead of hanging in the firmware's network boot entries; a UEFI VM the Portal provisioned gets a
/// disk-first boot order, so its reboots go to the disk with no network request at all. (The first VM, on OVMF, is
/// provisioned through the browser in <see cref="ProvisioningFlowTests"/>.)
/// </summary>
[Collection(VmCollection.Name)]
public sealed class FirmwareBootTests(NetbootingPortal portal, ITestOutputHelper output) : IClassFixture<NetbootingPortal>
{
    private const string InstalledSystemRunning = "lab-installer: booted from disk: the installed system is running";

    [QemuFact]
    public async Task ABiosVmIsProvisionedToDeployedAndThenStartsItsInstalledSystemFromDisk()
    {
        await using var lab = await StartLabAsync("127.0.161.1", vms: 2);
        var system = lab.Bmcs[1].Systems[0];
        Assert.Equal("Legacy", system.Boot.Mode);

        await ProvisionToDeployedAsync(lab.Bmcs[1], "bios-node.lab", async deploymentId =>
        {
            var script = await portal.WithDbAsync(db => db.DeploymentEvents.AsNoTracking()
                .SingleAsync(e => e.DeploymentId == deploymentId && e.Phase == "script"));
            Assert.Contains("platform=pcbios", script.Message);
            // In the order the Portal saw them: the script, iPXE's kernel and initrd downloads, the installer's config.
            var fetches = await portal.WithDbAsync(db => db.DeploymentEvents.AsNoTracking().Where(e => e.DeploymentId == deploymentId)
                .OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => e.Phase + " " + e.Message).ToListAsync());
            Assert.Equal(["script", "download vmlinuz", "download initrd.img", "config"],
                fetches.Where(f => f.StartsWith("script ") || f.StartsWith("download") || f.StartsWith("config "))
                    .Select(f => f.StartsWith("download") ? "download " + f.Split(' ')[2] : f.Split(' ')[0]));
            // The run restarted the machine without its override: SeaBIOS boots the disk.
            await Eventually.TrueAsync(() => ConsoleOf(system).Contains(InstalledSystemRunning), "the installed system to start from disk", TimeSpan.FromMinutes(2));
            Assert.Equal(LabPowerState.On, system.PowerState);
        });
    }

    [QemuFact]
    public async Task AUefiVmGetsADiskFirstBootOrderSoItsRebootsStartTheDiskWithoutAnyNetworkRequest()
    {
        await using var lab = await StartLabAsync("127.0.163.1", vms: 1, seed: 14);
        var system = lab.Bmcs[0].Systems[0];
        Assert.Equal("UEFI", system.Boot.Mode);

        await ProvisionToDeployedAsync(lab.Bmcs[0], "uefi-node.lab", async deploymentId =>
        {
            Assert.Equal("Boot0003", system.BootOrder[0]);
            Assert.True(await portal.WithDbAsync(db => db.DeploymentEvents.AnyAsync(e => e.DeploymentId == deploymentId && e.Message.StartsWith("Boot order set to disk first"))));

            // The run's own restart, then one more: each start of OVMF goes to the disk; iPXE never
            // runs, so no DHCP and no request reaches the Portal (it would have answered `exit`).
            await Eventually.TrueAsync(() => SinceLastPowerOn(system).Contains(InstalledSystemRunning), "the installed system to start from disk", TimeSpan.FromMinutes(2));
            AssertNoNetworkBoot(SinceLastPowerOn(system));
            var powerOns = system.PowerOnCount;
            system.Reset("ForceRestart");
            Assert.Equal(powerOns + 1, system.PowerOnCount);
            await Eventually.TrueAsync(() => SinceLastPowerOn(system).Contains(InstalledSystemRunning), "the rebooted VM to start its disk", TimeSpan.FromSeconds(90));
            AssertNoNetworkBoot(SinceLastPowerOn(system));
            Assert.Equal("Hdd", system.LastBootSource);
        });
    }

    /// <summary>
    /// Onboards the BMC, provisions its (one) system with the lab installer, waits for the run to
    /// end and asserts it Deployed, then checks <paramref name="afterwards"/> with the deployment's
    /// id. Whatever fails on the way prints the run's events, the lab system's state and its console.
    /// </summary>
    private async Task ProvisionToDeployedAsync(LabBmc bmc, string hostname, Func<long, Task> afterwards)
    {
        var system = bmc.Systems[0];
        long? deploymentId = null;
        try
        {
            var machineId = await portal.OnboardAsync(bmc);
            deploymentId = await ProvisionAsync(machineId, hostname);
            await Eventually.TrueAsync(async () => await StepAsync(deploymentId.Value) is ProvisioningStep.Deployed or ProvisioningStep.Failed,
                $"the run of {hostname} to end", TimeSpan.FromMinutes(3));
            Assert.Equal(ProvisioningStep.Deployed, await StepAsync(deploymentId.Value));
            await afterwards(deploymentId.Value);
        }
        catch
        {
            if (deploymentId is { } id)
            {
                var events = await portal.WithDbAsync(db => db.DeploymentEvents.AsNoTracking().Where(e => e.DeploymentId == id).OrderBy(e => e.Id).ToListAsync());
                foreach (var e in events) output.WriteLine($"  {e.At:HH:mm:ss.fff} {e.Kind} {e.Phase} {e.Message}");
            }
            output.WriteLine($"lab system {system.PowerState}, {system.PowerOnCount} power-ons, last boot {system.LastBootSource}");
            output.WriteLine("VM console:\n" + Tail(ConsoleOf(system)));
            throw;
        }
    }

    private static void AssertNoNetworkBoot(string console)
    {
        Assert.DoesNotContain("boot.ipxe", console);
        Assert.DoesNotContain("Portal: booting from local disk", console);
        Assert.DoesNotContain("Start PXE over", console);
        Assert.DoesNotContain("Start HTTP Boot", console);
    }

    // The console after the lab's latest "--- … power on: <QEMU command line>" line (which names the boot URL itself).
    private static string SinceLastPowerOn(LabSystem system)
    {
        var console = ConsoleOf(system);
        var header = console.LastIndexOf("--- 20", StringComparison.Ordinal);
        var end = header < 0 ? -1 : console.IndexOf('\n', header);
        return header < 0 ? "" : end < 0 ? "" : console[(end + 1)..];
    }

    [QemuFact]
    public async Task AUefiVmThePortalDoesNotKnowIsToldToBootLocallyAndReachesItsDiskWithoutHanging()
    {
        await using var lab = await StartLabAsync("127.0.162.1", vms: 1);
        var system = lab.Bmcs[0].Systems[0];
        Assert.Equal("UEFI", system.Boot.Mode);
        var mac = MacAddress.Parse(system.Facts.Nics[0].Mac).ToString();
        try
        {
            system.SetBootOverride(system.Boot with { Target = "Pxe", Enabled = "Once" });
            system.Reset("On");

            // OVMF under emulation takes ~15 s to reach iPXE; walking its own PXE and HTTP entries
            // after iPXE's `exit` would take minutes more (150 s seen), so 90 s in all proves it did not.
            await Eventually.TrueAsync(() => ConsoleOf(system).Contains(InstalledSystemRunning), "the unknown UEFI VM to boot its disk", TimeSpan.FromSeconds(90));
            var console = ConsoleOf(system);
            Assert.Contains("Portal: booting from local disk", console);
            Assert.DoesNotContain("Start PXE over", console);
            Assert.DoesNotContain("Start HTTP Boot", console);
            var sighting = await portal.WithDbAsync(db => db.NetbootSightings.AsNoTracking().SingleAsync(s => s.Mac == mac));
            Assert.Equal("efi", sighting.Platform);
            Assert.Null(sighting.MachineId);
        }
        catch
        {
            output.WriteLine("VM console:\n" + Tail(ConsoleOf(system)));
            throw;
        }
    }

    // Each test its own seed: a machine one test onboards must stay a stranger to another (the Portal is shared).
    private Task<LabFleet> StartLabAsync(string firstAddress, int vms, int seed = 13) => LabFleet.StartAsync(new LabOptions
    {
        BmcCount = vms, Profiles = ["dell"], VmBackedCount = vms, FirstAddress = firstAddress, Seed = seed,
        NetbootUrl = $"http://10.0.2.2:{new Uri(portal.BaseUrl).Port}/boot.ipxe", VmDiskImage = portal.DiskImage,
    });

    private async Task<long> ProvisionAsync(long machineId, string hostname)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(PortalServer.AdminEmail);
        var who = new Requester(admin!.Id, PortalServer.AdminEmail, IsOperator: true);
        var reserved = await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync([machineId], null, who);
        Assert.True(reserved.Succeeded, reserved.Message);
        var profileId = await portal.WithDbAsync(db => db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync());
        var started = await scope.ServiceProvider.GetRequiredService<ProvisioningService>()
            .StartAsync(new DeploymentRequest(machineId, profileId, hostname, [], new Dictionary<string, string>()), who);
        return started.DeploymentId ?? throw new InvalidOperationException($"Provisioning did not start: {started.Outcome}");
    }

    private Task<ProvisioningStep?> StepAsync(long deploymentId) =>
        portal.WithDbAsync(db => db.DeploymentWorkflows.AsNoTracking().Where(w => w.DeploymentId == deploymentId).Select(w => (ProvisioningStep?)w.Step).SingleOrDefaultAsync());

    private static string ConsoleOf(LabSystem system)
    {
        if (system.VmLogPath is not { } path || !File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    // The power-on lines the lab writes, then the end of the console.
    private static string Tail(string text) =>
        string.Join('\n', text.Split('\n').Where(l => l.StartsWith("--- "))) + "\n...\n" + (text.Length <= 4000 ? text : text[^4000..]);
}
