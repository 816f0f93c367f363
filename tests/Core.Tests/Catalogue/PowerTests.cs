using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Power;
using Portal.Core.Reservations;
using Portal.Core.Tests.Power;
using Portal.Lab;

namespace Portal.Core.Tests.Catalogue;

/// <summary>Power actions against the lab's BMCs over real HTTPS (addresses 127.0.80.x).</summary>
public sealed class PowerTests : IAsyncLifetime
{
    private PowerLabHost power = default!;
    private static readonly Requester Alice = CatalogueTestHost.User("alice");
    private static readonly Requester Bob = CatalogueTestHost.User("bob");

    // dell, hpe, lenovo, supermicro, gigabyte (slow Reset, shortened here), blade
    public async Task InitializeAsync() =>
        power = await PowerLabHost.StartAsync(new LabOptions { BmcCount = 6, FirstAddress = "127.0.80.1", Seed = 5, SlowResetDelay = TimeSpan.FromMilliseconds(600) }, new()
        {
            ["Power:ActionTimeout"] = "00:00:15", ["Power:PollInterval"] = "00:00:00.100", ["Redfish:RequestTimeout"] = "00:00:05",
        });

    public async Task DisposeAsync() => await power.DisposeAsync();

    private LabSystem SystemOf(string profile) => power.Bmc(profile).Systems[0];

    private async Task<PowerOperation> RunAsync(long machineId, PowerAction action, Requester who)
    {
        var requested = await power.Host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(machineId, action, who));
        Assert.True(requested.Outcome.Succeeded, requested.Outcome.Message);
        await power.Host.Services.GetRequiredService<PowerActionRunner>().RunAsync(requested.OperationId!.Value, default);
        return await power.Host.WithDbAsync(db => db.PowerOperations.SingleAsync(o => o.Id == requested.OperationId));
    }

    [Theory]
    [InlineData("lenovo")]
    [InlineData("gigabyte")]
    public async Task EachPowerActionReachesTheLabBmcAndTheMachineShowsTheNewState(string profile)
    {
        var system = SystemOf(profile);
        var id = power.MachineIds[system];
        await power.Host.ReserveAsync(Alice, id);

        foreach (var (action, expected) in new[]
        {
            (PowerAction.On, LabPowerState.On), (PowerAction.ForceRestart, LabPowerState.On), (PowerAction.PowerCycle, LabPowerState.On),
            (PowerAction.GracefulShutdown, LabPowerState.Off), (PowerAction.On, LabPowerState.On), (PowerAction.ForceOff, LabPowerState.Off),
        })
        {
            var powerOns = system.PowerOnCount;
            var operation = await RunAsync(id, action, Alice);

            Assert.True(operation.Status == PowerOperationStatus.Succeeded, $"{action}: {operation.Error}");
            Assert.Equal(expected, system.PowerState);
            Assert.Equal(expected.ToString(), (await power.Host.MachineAsync(id)).PowerState);
            if (expected == LabPowerState.On) Assert.True(system.PowerOnCount > powerOns, $"{action} did not power the lab machine on");
        }
        var audit = await power.Host.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "machine.power" && e.TargetId == id.ToString()).CountAsync());
        Assert.Equal(6, audit);
    }

    [Fact]
    public async Task ABmcFaultShowsAClearFailure()
    {
        var system = SystemOf("dell");
        var id = power.MachineIds[system];
        await power.Host.ReserveAsync(Alice, id);
        system.Bmc.Faults = new FaultSettings { FailAuth = true };

        var operation = await RunAsync(id, PowerAction.On, Alice);

        Assert.Equal(PowerOperationStatus.Failed, operation.Status);
        Assert.Contains("refused the portal's credentials", operation.Error);
        Assert.Equal(LabPowerState.Off, system.PowerState);
        system.Bmc.Faults = FaultSettings.None;
    }

    [Fact]
    public async Task TransientBmcErrorsAreRetriedUntilTheActionSucceeds()
    {
        var system = SystemOf("hpe");
        var id = power.MachineIds[system];
        await power.Host.ReserveAsync(Alice, id);
        system.Bmc.Faults = new FaultSettings { ErrorRate = 0.3, ErrorStatusCode = 503 };

        var operation = await RunAsync(id, PowerAction.On, Alice);

        system.Bmc.Faults = FaultSettings.None;
        Assert.True(operation.Status == PowerOperationStatus.Succeeded, operation.Error);
        Assert.Equal(LabPowerState.On, system.PowerState);
    }

    [Fact]
    public async Task UsersCannotPowerMachinesTheyDoNotHold()
    {
        var id = power.MachineIds[SystemOf("lenovo")];
        var notHeld = await power.Host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(id, PowerAction.On, Alice));
        Assert.Equal(OutcomeStatus.Forbidden, notHeld.Outcome.Status);

        await power.Host.ReserveAsync(Alice, id);
        var otherUser = await power.Host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(id, PowerAction.On, Bob));
        Assert.Equal(OutcomeStatus.Forbidden, otherUser.Outcome.Status);
        Assert.Contains("held by alice", otherUser.Outcome.Message);

        var byOperator = await power.Host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(id, PowerAction.On, CatalogueTestHost.User("olga", isOperator: true)));
        Assert.True(byOperator.Outcome.Succeeded);
        Assert.Equal(0, await power.Host.WithDbAsync(db => db.PowerOperations.CountAsync(o => o.RequestedByName != "olga")));
    }

    [Fact]
    public async Task RefreshReadsEveryPowerStateAndOnlyOffersWhatTheBmcAllows()
    {
        power.Lab.ResetStats();
        var read = await power.Host.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default);

        Assert.Equal(power.Lab.Systems.Count(), read);
        Assert.All(power.Lab.Bmcs, b => Assert.InRange(b.Stats.MaxInFlight, 1, 2));
        var supermicro = await power.Host.MachineAsync(power.MachineIds[SystemOf("supermicro")]);
        Assert.NotNull(supermicro.ResetTypes);
        Assert.DoesNotContain(PowerAction.PowerCycle, PowerActions.AllowedFor(supermicro.ResetTypes));
        Assert.NotNull(supermicro.PowerCheckedAt);

        await power.Host.ReserveAsync(Alice, supermicro.Id);
        var refused = await power.Host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(supermicro.Id, PowerAction.PowerCycle, Alice));
        Assert.Equal(OutcomeStatus.Conflict, refused.Outcome.Status);
        Assert.Contains("does not offer PowerCycle", refused.Outcome.Message);
    }
}
