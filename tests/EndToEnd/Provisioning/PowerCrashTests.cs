using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Power;
using Portal.Core.Reservations;
using Portal.TestSupport;

namespace Portal.EndToEnd.Provisioning;

/// <summary>
/// Issue 13, finding 3: SIGKILL the Portal while a power action is under way. After a restart the
/// operation ends (it does not stay Running and block the machine), the Reset is not sent a second
/// time, and the machine takes the next power action.
/// </summary>
public sealed class PowerCrashTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Power:PollInterval"] = "00:00:00.100",
        ["Provisioning:SweepInterval"] = "00:00:02",
    };

    [Fact]
    public async Task APowerActionCutShortByAKillEndsAfterARestartWithoutASecondResetAndTheMachineTakesTheNextOne()
    {
        // The BMC takes 15 s to carry out a Reset: the kill lands while the machine is changing state.
        await using var lab = await CrashLab.StartAsync("127.0.152.1", Settings, slowReset: TimeSpan.FromSeconds(15));
        var system = lab.Lab.Bmcs[0].Systems[0];
        var machine = await lab.WithDbAsync(db => db.Machines.AsNoTracking().OrderBy(m => m.Id).FirstAsync());
        await using var scope = lab.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync([machine.Id], null, CrashLab.Alice)).Succeeded);
        var power = scope.ServiceProvider.GetRequiredService<PowerControl>();
        var action = machine.PowerState == "On" ? PowerAction.ForceOff : PowerAction.On;

        var requested = await power.RequestAsync(machine.Id, action, CrashLab.Alice);
        Assert.True(requested.Outcome.Succeeded, requested.Outcome.Message);
        await Eventually.TrueAsync(() => system.ResetCount == 1, "the Reset to reach the BMC", TimeSpan.FromSeconds(30));
        Assert.Equal(PowerOperationStatus.Running, (await OperationAsync(lab, requested.OperationId!.Value)).Status);

        await lab.Portal.KillAsync();
        await lab.Portal.StartAsync();
        await Eventually.TrueAsync(async () => (await OperationAsync(lab, requested.OperationId.Value)).IsFinished,
            "the interrupted operation to end", TimeSpan.FromSeconds(90));

        var interrupted = await OperationAsync(lab, requested.OperationId.Value);
        Assert.Equal(PowerOperationStatus.Succeeded, interrupted.Status);
        Assert.Equal(1, system.ResetCount);
        var next = await power.RequestAsync(machine.Id, action == PowerAction.On ? PowerAction.ForceOff : PowerAction.On, CrashLab.Alice);
        Assert.True(next.Outcome.Succeeded, next.Outcome.Message);
        await Eventually.TrueAsync(async () => (await OperationAsync(lab, next.OperationId!.Value)).IsFinished, "the next power action to end", TimeSpan.FromSeconds(90));
        Assert.Equal(PowerOperationStatus.Succeeded, (await OperationAsync(lab, next.OperationId!.Value)).Status);
    }

    private static Task<PowerOperation> OperationAsync(CrashLab lab, long id) =>
        lab.WithDbAsync(db => db.PowerOperations.AsNoTracking().SingleAsync(o => o.Id == id));
}
