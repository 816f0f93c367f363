using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Provisioning;

namespace Portal.Tests.Provisioning;

/// <summary>The run's progress along its timeline only ever goes forward, whatever order the numbers arrive in.</summary>
public sealed class DeploymentProgressTests
{
    [Fact]
    public void AnInstallerThatGoesBackAndAStepWrittenAfterDoneNeverMoveTheRunBackwards()
    {
        var now = DateTimeOffset.UtcNow;
        var machine = Machine.Discovered(1, "/redfish/v1/Systems/1", now);
        machine.ApplyFacts(new MachineFacts("/redfish/v1/Systems/1", Guid.NewGuid(), "SN-1", "Lab", "QEMU", "x86_64", "UEFI", "1.0",
            "QEMU Virtual CPU", 1, 2, 2, 512L << 20, [], [new MachineNic("02:00:00:00:00:01", 1000, "eth0")], [], "Off"), 1, now);
        var profile = OsProfile.Create("p", OsInstallerKind.Generic, "/k", ["/i"], "", "lab-installer", new Dictionary<string, string>(), false, now);
        var run = Deployment.Start(machine, "u", profile, "h", [], null, new Dictionary<string, string>(), now);
        var progress = new DeploymentProgress.Running();
        // As seen on real firmware: the installer's 50 then 25, its "done" at 100, then the wait step's 95.
        var events = new (DeploymentEventKind Kind, string Phase, int? Percent)[]
        {
            (DeploymentEventKind.Step, "wait-for-config-fetch", 35), (DeploymentEventKind.Installer, "progress", 50),
            (DeploymentEventKind.Installer, "progress", 25), (DeploymentEventKind.Netboot, "config", null),
            (DeploymentEventKind.Installer, "done", 100), (DeploymentEventKind.Step, "wait-for-installer-done", 95), (DeploymentEventKind.Step, "deployed", 100),
        };

        var shown = events.Select(e => progress.After(run.RecordEvent(e.Kind, e.Phase, "", e.Percent, null, now))).ToList();

        Assert.Equal([35, 67, 67, null, 100, 100, 100], shown);
        Assert.Equal(99, progress.Of(DeploymentState.Active));
        Assert.Equal(100, progress.Of(DeploymentState.Finished));
    }
}
