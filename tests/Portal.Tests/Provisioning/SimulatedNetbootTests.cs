using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;
using Portal.Lab;
using Portal.Lab.Netboot;
using Portal.Netboot.Templates;

namespace Portal.Tests.Provisioning;

/// <summary>
/// Lab machines that are not VM-backed provisioned end to end by the lab's simulated firmware and
/// installer over real HTTP against the real Portal: every built-in profile reaches Deployed with
/// its script fetch, config fetch and installer events on the timeline, and each injected netboot
/// fault ends the run Failed with the reason an operator would need.
/// </summary>
public sealed class SimulatedNetbootTests(SimulatedNetbootFactory factory) : IClassFixture<SimulatedNetbootFactory>
{
    [Theory]
    [InlineData("AlmaLinux 9 (kickstart)", "UEFI", new[] { "script", "config" })]
    [InlineData("Rocky Linux 9 (kickstart)", "Legacy", new[] { "script", "config" })]
    [InlineData("Ubuntu 24.04 LTS (autoinstall)", "UEFI", new[] { "script", "user-data", "meta-data" })]
    [InlineData("Lab installer", "Legacy", new[] { "script", "config" })]
    public async Task ALabMachineReachesDeployedThroughTheSimulatedFirmwareAndInstaller(string profile, string bootMode, string[] fetches)
    {
        var api = (await factory.MemberAsync($"sim-{profile.Split(' ')[0].ToLowerInvariant()}-{bootMode.ToLowerInvariant()}")).Api;
        var machineId = (await factory.ReservedAsync(api, bootMode: bootMode))[0];

        var id = await StartAsync(api, machineId, profile);
        var done = await ProvisioningFactory.WaitForStepAsync(api, id, "Deployed");

        Assert.Equal("Deployed", done.GetProperty("step").GetString());
        var timeline = await TimelineAsync(id);
        Assert.Equal(fetches, timeline.Where(e => e.Kind == "Netboot" && e.Phase != "rendered").Select(e => e.Phase).Distinct());
        Assert.Equal(["pre", "progress", "post", "done"], timeline.Where(e => e.Kind == "Installer").Select(e => e.Phase).Distinct());
        Assert.Contains(timeline, e => e is { Kind: "Installer", Phase: "done" } && e.Message.Contains("finished"));
        Assert.Equal("Hdd", factory.Systems[machineId].LastBootSource);
    }

    [Fact]
    public async Task AFirmwareThatNeverAsksFailsTheRunAtTheScriptFetch()
    {
        var (reason, system) = await FailedRunAsync("sim-never-asks", new NetbootFaults { FirmwareNeverAsks = true });

        Assert.StartsWith("The machine did not fetch its iPXE script within", reason);
        Assert.Equal("Hdd", system.LastBootSource);
    }

    [Fact]
    public async Task AScriptFetchThatFailsFailsTheRunAtTheScriptFetch()
    {
        var (reason, system) = await FailedRunAsync("sim-fetch-fails", new NetbootFaults { ScriptFetchFails = true });

        Assert.StartsWith("The machine did not fetch its iPXE script within", reason);
        Assert.Equal("Hdd", system.LastBootSource);
    }

    [Fact]
    public async Task AnInstallerThatFailsAtFortyPercentFailsTheRunWithItsMessage()
    {
        var (reason, _) = await FailedRunAsync("sim-fails-at", new NetbootFaults { InstallerFailsAtPercent = 40 });

        Assert.Equal("simulated lab installer failed at 40 % (injected)", reason);
    }

    [Fact]
    public async Task AnInstallerThatHangsFailsTheRunAtTheInstallerTimeout()
    {
        var (reason, _) = await FailedRunAsync("sim-hangs", new NetbootFaults { InstallerHangs = true });

        Assert.StartsWith("The installer did not report done within", reason);
    }

    [Fact]
    public async Task AKickstartInstallerHandedAnotherKindOfConfigReportsAFailureAsAnacondaWould()
    {
        const string profile = "Lab config sent as a kickstart";
        await factory.WithDbAsync(async db =>
        {
            db.OsProfiles.Add(OsProfile.Create(profile, OsInstallerKind.Kickstart, "/boot-files/lab-installer/vmlinuz", ["/boot-files/lab-installer/initrd.img"],
                "console=ttyS0", BuiltinTemplates.LabInstaller, new Dictionary<string, string> { ["install_seconds"] = "1" }, builtIn: false, DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });

        var (reason, system) = await FailedRunAsync("sim-wrong-kind", NetbootFaults.None, profile);

        Assert.Equal("simulated Anaconda: the config is not what it expects (no %packages section)", reason);
        Assert.Equal(LabPowerState.On, system.PowerState); // a failed installer waits at its console
    }

    private async Task<(string? Reason, LabSystem System)> FailedRunAsync(string user, NetbootFaults faults, string profile = "Lab installer")
    {
        var api = (await factory.MemberAsync(user)).Api;
        var machineId = (await factory.ReservedAsync(api))[0];
        var system = factory.Systems[machineId];
        system.NetbootFaults = faults;

        var id = await StartAsync(api, machineId, profile);
        var ended = await ProvisioningFactory.WaitForStepAsync(api, id, "Failed");

        Assert.Equal("Failed", ended.GetProperty("step").GetString());
        return ((await factory.DeploymentAsync(id)).FailureReason, system);
    }

    private async Task<long> StartAsync(HttpClient api, long machineId, string profile)
    {
        var started = await api.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId = await factory.ProfileIdAsync(profile), hostname = $"sim-{machineId}.lab" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private Task<List<(string Kind, string Phase, string Message)>> TimelineAsync(long id) =>
        factory.WithDbAsync(async db => (await db.DeploymentEvents.AsNoTracking().Where(e => e.DeploymentId == id).OrderBy(e => e.Id).ToListAsync())
            .Select(e => (e.Kind.ToString(), e.Phase, e.Message)).ToList());
}
