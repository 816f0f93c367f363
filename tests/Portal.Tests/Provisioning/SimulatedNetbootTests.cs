using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
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
    [InlineData("AlmaLinux 9 (kickstart)", "UEFI", new[] { "script", "config" }, new string[0])] // kernel and initrd from a mirror
    [InlineData("Rocky Linux 9 (kickstart)", "Legacy", new[] { "script", "config" }, new string[0])]
    [InlineData("Ubuntu 24.04 LTS (autoinstall)", "UEFI", new[] { "script", "user-data", "meta-data" }, new[] { "vmlinuz", "initrd" })]
    [InlineData("Lab installer", "Legacy", new[] { "script", "config" }, new[] { "vmlinuz", "initrd.img" })]
    public async Task ALabMachineReachesDeployedThroughTheSimulatedFirmwareAndInstaller(string profile, string bootMode, string[] fetches, string[] downloads)
    {
        var api = (await factory.MemberAsync($"sim-{profile.Split(' ')[0].ToLowerInvariant()}-{bootMode.ToLowerInvariant()}")).Api;
        var machineId = (await factory.ReservedAsync(api, bootMode: bootMode))[0];

        var id = await StartAsync(api, machineId, profile);
        var done = await ProvisioningFactory.WaitForStepAsync(api, id, "Deployed");

        Assert.Equal("Deployed", done.GetProperty("step").GetString());
        var timeline = await TimelineAsync(id);
        Assert.Equal(fetches, timeline.Where(e => e.Kind == "Netboot" && e.Phase is not ("rendered" or "download")).Select(e => e.Phase).Distinct());
        // The Portal's own boot files, each on the timeline with its size, between the script and the config.
        Assert.Equal(downloads.Select(f => $"Sent {f} (64 KiB) to 127.0.0.1 in"),
            timeline.Where(e => e.Phase == "download").Select(e => e.Message[..e.Message.LastIndexOf(" in ", StringComparison.Ordinal)] + " in"));
        Assert.Equal(["pre", "progress", "post", "done"], timeline.Where(e => e.Kind == "Installer").Select(e => e.Phase).Distinct());
        Assert.Contains(timeline, e => e is { Kind: "Installer", Phase: "done" } && e.Message.Contains("finished"));
        Assert.Equal("Hdd", factory.Systems[machineId].LastBootSource);
        await TheTimelineTellsTheTruthAsync(api, id);
    }

    /// <summary>
    /// Ordered by reality: a waiting step's row is stamped when the machine acted and sits right after
    /// the request that ended it; the run's progress never goes back; and the run has one duration.
    /// </summary>
    private static async Task TheTimelineTellsTheTruthAsync(HttpClient api, long id)
    {
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{id}");
        var events = detail.GetProperty("events").EnumerateArray()
            .Select(e => (Kind: e.GetProperty("kind").GetString()!, Phase: e.GetProperty("phase").GetString()!, At: e.GetProperty("at").GetDateTimeOffset(),
                Message: e.GetProperty("message").GetString()!, Run: e.GetProperty("runPercent") is { ValueKind: JsonValueKind.Number } r ? r.GetInt32() : (int?)null))
            .ToList();
        int Index(string kind, string phase) => events.FindIndex(e => e.Kind == kind && e.Phase == phase);

        // A step cannot end before it began: a fetch during the step before is answered when the step begins.
        foreach (var (step, before, kind, phase) in new[]
        {
            ("wait-for-script-fetch", "power-on", "Netboot", "script"),
            ("wait-for-config-fetch", "wait-for-script-fetch", "Netboot", "config"),
            ("wait-for-installer-done", "wait-for-config-fetch", "Installer", "done"),
        })
        {
            var (stepAt, actedAt) = (Index("Step", step), Index(kind, phase) is >= 0 and var i ? i : Index(kind, "user-data"));
            Assert.True(stepAt > actedAt, $"\"{step}\" is listed after the {phase} it describes");
            var began = events[Index("Step", before)].At;
            Assert.Equal(events[actedAt].At > began ? events[actedAt].At : began, events[stepAt].At);
        }
        Assert.True(Index("Step", "wait-for-config-fetch") < Index("Installer", "pre"), "the config fetch's step comes before the installer's first event");
        var configAt = events.FindIndex(e => e.Kind == "Netboot" && e.Phase is "config" or "user-data");
        Assert.All(events.Select((e, i) => (e, i)).Where(x => x.e.Phase == "download"), x => Assert.InRange(x.i, Index("Netboot", "script") + 1, configAt - 1));

        var runs = events.Where(e => e.Run is not null).Select(e => e.Run!.Value).ToList();
        Assert.Equal(runs.Order(), runs);
        Assert.Equal(100, runs[^1]);

        var took = WorkflowTimeline.Took(detail.GetProperty("finishedAt").GetDateTimeOffset() - detail.GetProperty("createdAt").GetDateTimeOffset());
        Assert.EndsWith($"installed in {took}", events[Index("Step", "deployed")].Message);
        Assert.Equal("Deployed", detail.GetProperty("step").GetString());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("deadline").ValueKind);
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
        factory.WithDbAsync(async db => (await db.DeploymentEvents.AsNoTracking().Where(e => e.DeploymentId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync())
            .Select(e => (e.Kind.ToString(), e.Phase, e.Message)).ToList());
}
