using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.EndToEnd.Provisioning;

/// <summary>
/// SIGKILL the Portal in the middle of a run and start it again: the run resumes where it was,
/// without repeating completed BMC actions and without losing what the machine reported.
/// </summary>
public sealed class ProvisioningCrashTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Provisioning:PollInterval"] = "00:00:00.200", ["Provisioning:QueuePollInterval"] = "00:00:00.200",
        ["Provisioning:ScriptFetchTimeout"] = "00:03:00", ["Provisioning:ConfigFetchTimeout"] = "00:03:00", ["Provisioning:InstallerTimeout"] = "00:03:00",
        ["Provisioning:BmcRetryDelay"] = "00:00:00.500",
        ["Power:PollInterval"] = "00:00:00.100",
    };

    [Fact]
    public async Task AKillDuringTheWaitForTheInstallerLosesNothingAndTheRunCompletesAfterARestart()
    {
        await using var lab = await CrashLab.StartAsync("127.0.150.1", Settings);
        var (id, mac) = await lab.ReserveAndStartAsync();
        var system = lab.Lab.Bmcs[0].Systems[0];

        await lab.WaitForStepAsync(id, TimeSpan.FromSeconds(60), ProvisioningStep.WaitForScriptFetch);
        var machine = new SimulatedInstaller(lab.Http, mac);
        Assert.True(await machine.NetbootAsync());
        await machine.FetchConfigAsync();
        await machine.ReportAsync("pre", "installer started");
        Assert.Equal(ProvisioningStep.WaitForInstallerDone, (await lab.WaitForStepAsync(id, TimeSpan.FromSeconds(30), ProvisioningStep.WaitForInstallerDone)).Step);
        var powerOns = system.PowerOnCount;

        await lab.Portal.KillAsync();
        await lab.Portal.StartAsync();
        await machine.ReportAsync("progress", "installing", 60);
        await machine.ReportAsync("done", "installed");
        var done = await lab.WaitForStepAsync(id, TimeSpan.FromSeconds(90), ProvisioningStep.Deployed);

        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.Equal(powerOns + 1, system.PowerOnCount); // no BMC step ran again; the one power-on is the restart into the installed OS
        var deployment = await lab.WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Machine).Include(d => d.Events).SingleAsync(d => d.Id == id));
        Assert.Equal(DeploymentState.Finished, deployment.State);
        Assert.Equal(MachineState.Deployed, deployment.Machine!.State);
        var installer = deployment.Events.Where(e => e.Kind == DeploymentEventKind.Installer).OrderBy(e => e.Id).Select(e => e.Phase);
        Assert.Equal(["pre", "progress", "done"], installer);
        Assert.Single(deployment.Events, e => e.Phase == "power-on");
        Assert.Equal([lab.SchedulerName], await lab.SchedulerNamesInStoreAsync());
    }

    [Fact]
    public async Task AKillDuringTheBmcStepsResumesThemWithoutPoweringOnTwice()
    {
        await using var lab = await CrashLab.StartAsync("127.0.151.1", Settings);
        var system = lab.Lab.Bmcs[0].Systems[0];
        system.Reset("On"); // running an old OS: the run has to power it off first
        var powerOns = system.PowerOnCount;
        // A slow BMC, so the kill lands while the Portal is talking to it.
        lab.Lab.Bmcs[0].Faults = new FaultSettings { LatencyMs = 150 };
        var (id, mac) = await lab.ReserveAndStartAsync();

        var during = await lab.WaitForStepAsync(id, TimeSpan.FromSeconds(60), ProvisioningStep.SetPxeOverride, ProvisioningStep.PowerOn);
        await lab.Portal.KillAsync();
        var powerOnsAtKill = system.PowerOnCount;
        await lab.Portal.StartAsync();
        lab.Lab.Bmcs[0].Faults = FaultSettings.None;

        await lab.WaitForStepAsync(id, TimeSpan.FromSeconds(90), ProvisioningStep.WaitForScriptFetch);
        await new SimulatedInstaller(lab.Http, mac).InstallAsync();
        var done = await lab.WaitForStepAsync(id, TimeSpan.FromSeconds(60), ProvisioningStep.Deployed);

        Assert.True(during.Step is ProvisioningStep.SetPxeOverride or ProvisioningStep.PowerOn, $"killed at {during.Step}");
        Assert.Equal(ProvisioningStep.Deployed, done.Step);
        Assert.InRange(powerOnsAtKill, powerOns, powerOns + 1);
        // Powered on for the netboot exactly once, whether the kill came before or after the BMC acted; then restarted into the installed OS.
        Assert.Equal(powerOns + 2, system.PowerOnCount);
        Assert.Equal("Hdd", system.LastBootSource);
        var deployment = await lab.WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Machine).SingleAsync(d => d.Id == id));
        Assert.Equal(MachineState.Deployed, deployment.Machine!.State);
    }
}
