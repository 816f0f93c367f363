using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Reservations;

namespace Portal.Core.Tests.Catalogue;

public sealed class ReservationTests : IAsyncLifetime
{
    private CatalogueTestHost host = default!;
    private long bmc;
    private static readonly Requester Alice = CatalogueTestHost.User("alice");
    private static readonly Requester Bob = CatalogueTestHost.User("bob");
    private static readonly Requester Operator = CatalogueTestHost.User("olga", isOperator: true);

    public async Task InitializeAsync()
    {
        host = await CatalogueTestHost.StartAsync(new() { ["Reservations:DefaultHours"] = "24", ["Reservations:MaxHours"] = "48" });
        bmc = await host.AddBmcAsync("02:00:00:00:00:02");
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<long> MachineAsync() => host.AddMachineAsync(bmc, Facts.Of());

    private Task<Outcome> Do(Func<Reservations.Reservations, Task<Outcome>> action) => host.WithAsync(action);

    [Fact]
    public async Task ReserveUsesTheDefaultDurationAndIsAudited()
    {
        var id = await MachineAsync();

        var outcome = await host.ReserveAsync(Alice, id);

        Assert.True(outcome.Succeeded, outcome.Message);
        var machine = await host.MachineAsync(id);
        Assert.Equal(MachineState.Reserved, machine.State);
        Assert.Equal(host.Clock.Now.AddHours(24), machine.ReservedUntil);
        Assert.Equal("alice", machine.ReservedByName);
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "machine.reserved" && e.TargetId == id.ToString())));
    }

    [Fact]
    public async Task ReserveFailsWhenMachineAlreadyReservedWithAClearMessage()
    {
        var id = await MachineAsync();
        await host.ReserveAsync(Alice, id);

        var outcome = await host.ReserveAsync(Bob, id);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.Contains("already reserved by alice", outcome.Message);
    }

    [Fact]
    public async Task DurationsBeyondTheMaximumAreRefused()
    {
        var id = await MachineAsync();
        var outcome = await Do(r => r.ReserveAsync([id], 49, Alice));
        Assert.Equal(OutcomeStatus.Invalid, outcome.Status);
        Assert.Contains("48 hours", outcome.Message);
    }

    [Fact]
    public async Task MultiMachineReservationRollsBackOnOneConflict()
    {
        var free1 = await MachineAsync();
        var free2 = await MachineAsync();
        var taken = await MachineAsync();
        await host.ReserveAsync(Bob, taken);

        var outcome = await host.ReserveAsync(Alice, free1, free2, taken);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.StartsWith("Nothing was reserved", outcome.Message);
        Assert.Equal(taken, Assert.Single(outcome.Conflicts!).MachineId);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(free1)).State);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(free2)).State);
        Assert.Equal("bob", (await host.MachineAsync(taken)).ReservedByName);
    }

    [Fact]
    public async Task HundredConcurrentRequestsForTenMachinesGiveExactlyTenWinners()
    {
        var ids = new List<long>();
        for (var i = 0; i < 10; i++) ids.Add(await MachineAsync());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            host.ReserveAsync(CatalogueTestHost.User($"user{i}"), ids[i % 10]))));

        Assert.Equal(10, outcomes.Count(o => o.Succeeded));
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.Equal(OutcomeStatus.Conflict, o.Status));
        var machines = await host.WithDbAsync(db => db.Machines.Where(m => ids.Contains(m.Id)).ToListAsync());
        Assert.All(machines, m => Assert.Equal(MachineState.Reserved, m.State));
        // Exactly one reservation per machine was recorded: nobody was double-booked.
        var audits = await host.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "machine.reserved").ToListAsync());
        Assert.Equal(10, audits.Count);
        Assert.Equal(ids.Select(i => i.ToString()).Order(), audits.Select(a => a.TargetId!).Order());
        Assert.All(machines, m => Assert.Equal(m.ReservedById, audits.Single(a => a.TargetId == m.Id.ToString()).ActorId));
    }

    [Fact]
    public async Task OverlappingMultiMachineRequestsNeverSplitAMachine()
    {
        var ids = new List<long>();
        for (var i = 0; i < 6; i++) ids.Add(await MachineAsync());

        // Every request wants three neighbouring machines; overlapping requests must not both win any.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() =>
            host.ReserveAsync(CatalogueTestHost.User($"u{i}"), ids[i % 4], ids[i % 4 + 1], ids[i % 4 + 2]))));

        var winners = outcomes.Count(o => o.Succeeded);
        Assert.InRange(winners, 1, 2);
        var held = await host.WithDbAsync(db => db.Machines.Where(m => ids.Contains(m.Id) && m.ReservedById != null).CountAsync());
        Assert.Equal(winners * 3, held);
    }

    [Fact]
    public async Task ReleaseIsForTheHolderAndOperatorsOnly()
    {
        var id = await MachineAsync();
        await host.ReserveAsync(Alice, id);

        var byBob = await Do(r => r.ReleaseAsync(id, Bob));
        Assert.Equal(OutcomeStatus.Forbidden, byBob.Status);
        Assert.Contains("held by alice", byBob.Message);
        Assert.Equal(MachineState.Reserved, (await host.MachineAsync(id)).State);

        Assert.True((await Do(r => r.ReleaseAsync(id, Alice))).Succeeded);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(id)).State);

        await host.ReserveAsync(Alice, id);
        Assert.True((await Do(r => r.ReleaseAsync(id, Operator))).Succeeded);
    }

    [Fact]
    public async Task ExtendPushesTheEndOutButNeverBeyondTheMaximum()
    {
        var id = await MachineAsync();
        await Do(r => r.ReserveAsync([id], 24, Alice));

        Assert.True((await Do(r => r.ExtendAsync(id, 12, Alice))).Succeeded);
        Assert.Equal(host.Clock.Now.AddHours(36), (await host.MachineAsync(id)).ReservedUntil);
        Assert.True((await Do(r => r.ExtendAsync(id, 24, Alice))).Succeeded);
        Assert.Equal(host.Clock.Now.AddHours(48), (await host.MachineAsync(id)).ReservedUntil);
        Assert.Equal(OutcomeStatus.Conflict, (await Do(r => r.ExtendAsync(id, 1, Alice))).Status);
        Assert.Equal(OutcomeStatus.Forbidden, (await Do(r => r.ExtendAsync(id, 1, Bob))).Status);
    }

    [Fact]
    public async Task ExpiredReservationsAreReleasedByTheExpiryRun()
    {
        var shortOne = await MachineAsync();
        var longOne = await MachineAsync();
        await Do(r => r.ReserveAsync([shortOne], 1, Alice));
        await Do(r => r.ReserveAsync([longOne], 8, Alice));

        host.Clock.Advance(TimeSpan.FromHours(2));
        var released = await host.WithAsync<Reservations.Reservations, int>(r => r.ExpireAsync());

        Assert.Equal(1, released);
        Assert.Equal(MachineState.Available, (await host.MachineAsync(shortOne)).State);
        Assert.Equal(MachineState.Reserved, (await host.MachineAsync(longOne)).State);
        Assert.Equal(1, await host.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "machine.expired")));
    }

    [Fact]
    public async Task MaintenanceIsForOperatorsAndTakesTheMachineOutOfTheCatalogue()
    {
        var id = await MachineAsync();
        Assert.Equal(OutcomeStatus.Forbidden, (await Do(r => r.EnterMaintenanceAsync(id, "psu", Alice))).Status);
        Assert.True((await Do(r => r.EnterMaintenanceAsync(id, "psu", Operator))).Succeeded);
        Assert.Equal(OutcomeStatus.Conflict, (await host.ReserveAsync(Alice, id)).Status);
        Assert.True((await Do(r => r.LeaveMaintenanceAsync(id, Operator))).Succeeded);
        Assert.True((await host.ReserveAsync(Alice, id)).Succeeded);
    }
}
