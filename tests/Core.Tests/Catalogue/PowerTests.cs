using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Power;
using Portal.Core.Reservations;
using Portal.Lab;

namespace Portal.Core.Tests.Catalogue;

/// <summary>Power actions against the lab's BMCs over real HTTPS (addresses 127.0.80.x).</summary>
public sealed class PowerTests : IAsyncLifetime
{
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-power-lab-").FullName;
    private LabFleet lab = default!;
    private CatalogueTestHost host = default!;
    private readonly Dictionary<LabSystem, long> machines = [];
    private static readonly Requester Alice = CatalogueTestHost.User("alice");
    private static readonly Requester Bob = CatalogueTestHost.User("bob");

    public async Task InitializeAsync()
    {
        // dell, hpe, lenovo, supermicro, gigabyte (slow Reset, shortened here), blade
        lab = await LabFleet.StartAsync(new LabOptions { BmcCount = 6, FirstAddress = "127.0.80.1", OutputDirectory = labDirectory, Seed = 5, SlowResetDelay = TimeSpan.FromMilliseconds(600) });
        host = await CatalogueTestHost.StartAsync(new()
        {
            ["Power:ActionTimeout"] = "00:00:15", ["Power:PollInterval"] = "00:00:00.100",
            ["Redfish:RetryBaseDelay"] = "00:00:00.020", ["Redfish:RequestTimeout"] = "00:00:05",
        }, realClock: true);
        foreach (var bmc in lab.Bmcs)
        {
            var bmcId = await host.AddBmcAsync(MacAddress.Parse(bmc.Mac).ToString(), bmc.Address.ToString(), bmc.Port, bmc.Username, bmc.Password, bmc.Https);
            foreach (var system in bmc.Systems)
                machines[system] = await host.AddMachineAsync(bmcId, Facts.Of(redfishId: system.RedfishPath, serial: system.Facts.SerialNumber));
        }
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
    }

    private LabSystem SystemOf(string profile) => lab.Bmcs.First(b => b.Profile.Name == profile).Systems[0];

    private async Task<PowerOperation> RunAsync(long machineId, PowerAction action, Requester who)
    {
        var requested = await host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(machineId, action, who));
        Assert.True(requested.Outcome.Succeeded, requested.Outcome.Message);
        await host.Services.GetRequiredService<PowerActionRunner>().RunAsync(requested.OperationId!.Value, default);
        return await host.WithDbAsync(db => db.PowerOperations.SingleAsync(o => o.Id == requested.OperationId));
    }

    [Theory]
    [InlineData("lenovo")]
    [InlineData("gigabyte")]
    public async Task EachPowerActionReachesTheLabBmcAndTheMachineShowsTheNewState(string profile)
    {
        var system = SystemOf(profile);
        var id = machines[system];
        await host.ReserveAsync(Alice, id);

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
            Assert.Equal(expected.ToString(), (await host.MachineAsync(id)).PowerState);
            if (expected == LabPowerState.On) Assert.True(system.PowerOnCount > powerOns, $"{action} did not power the lab machine on");
        }
        var audit = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "machine.power" && e.TargetId == id.ToString()).CountAsync());
        Assert.Equal(6, audit);
    }

    [Fact]
    public async Task ABmcFaultShowsAClearFailure()
    {
        var system = SystemOf("dell");
        var id = machines[system];
        await host.ReserveAsync(Alice, id);
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
        var id = machines[system];
        await host.ReserveAsync(Alice, id);
        system.Bmc.Faults = new FaultSettings { ErrorRate = 0.3, ErrorStatusCode = 503 };

        var operation = await RunAsync(id, PowerAction.On, Alice);

        system.Bmc.Faults = FaultSettings.None;
        Assert.True(operation.Status == PowerOperationStatus.Succeeded, operation.Error);
        Assert.Equal(LabPowerState.On, system.PowerState);
    }

    [Fact]
    public async Task UsersCannotPowerMachinesTheyDoNotHold()
    {
        var id = machines[SystemOf("lenovo")];
        var notHeld = await host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(id, PowerAction.On, Alice));
        Assert.Equal(OutcomeStatus.Forbidden, notHeld.Outcome.Status);

        await host.ReserveAsync(Alice, id);
        var otherUser = await host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(id, PowerAction.On, Bob));
        Assert.Equal(OutcomeStatus.Forbidden, otherUser.Outcome.Status);
        Assert.Contains("held by alice", otherUser.Outcome.Message);

        var byOperator = await host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(id, PowerAction.On, CatalogueTestHost.User("olga", isOperator: true)));
        Assert.True(byOperator.Outcome.Succeeded);
        Assert.Equal(0, await host.WithDbAsync(db => db.PowerOperations.CountAsync(o => o.RequestedByName != "olga")));
    }

    [Fact]
    public async Task RefreshReadsEveryPowerStateAndOnlyOffersWhatTheBmcAllows()
    {
        lab.ResetStats();
        var read = await host.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default);

        Assert.Equal(lab.Systems.Count(), read);
        Assert.All(lab.Bmcs, b => Assert.InRange(b.Stats.MaxInFlight, 1, 2));
        var supermicro = await host.MachineAsync(machines[SystemOf("supermicro")]);
        Assert.NotNull(supermicro.ResetTypes);
        Assert.DoesNotContain(PowerAction.PowerCycle, PowerActions.AllowedFor(supermicro.ResetTypes));
        Assert.NotNull(supermicro.PowerCheckedAt);

        await host.ReserveAsync(Alice, supermicro.Id);
        var refused = await host.WithAsync<PowerControl, PowerControl.Requested>(p => p.RequestAsync(supermicro.Id, PowerAction.PowerCycle, Alice));
        Assert.Equal(OutcomeStatus.Conflict, refused.Outcome.Status);
        Assert.Contains("does not offer PowerCycle", refused.Outcome.Message);
    }
}
