using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Identity;
using Portal.Core.Discovery.Runs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Core.Tests.Discovery.Identity;

/// <summary>
/// Which machine a system two BMCs report is, at the level of the code that applies an inventory
/// (the lab gives every system its own serial, so shared and placeholder serials are made here).
/// Real PostgreSQL; each inventory is applied and saved in its own scope, as discovery does.
/// </summary>
public sealed class SystemIdentitiesTests : IAsyncLifetime
{
    private const string Oem = "To Be Filled By O.E.M.";
    private static readonly Actor Admin = new("admin-id", "admin@test.local");
    private ServiceProvider services = default!;
    private DiscoveryDatabase database = default!;
    private long bmcX, bmcY;

    public async Task InitializeAsync()
    {
        database = await DiscoveryDatabase.CreateAsync();
        services = database.Services;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var x = db.Bmcs.Add(Bmc.Discovered("02:00:00:00:00:0a", "127.0.80.1", 443, true, DateTimeOffset.UtcNow)).Entity;
        var y = db.Bmcs.Add(Bmc.Discovered("02:00:00:00:00:0b", "127.0.80.2", 443, true, DateTimeOffset.UtcNow)).Entity;
        await db.SaveChangesAsync();
        (bmcX, bmcY) = (x.Id, y.Id);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task AMachineAnotherBmcReportsWithTheSameUuidIsMovedThereAsBefore()
    {
        var uuid = Guid.NewGuid();
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", uuid, "SN-MOVED"));

        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/7", uuid, "SN-MOVED"));

        var machine = Assert.Single(await MachinesAsync());
        Assert.Equal(bmcX, machine.BmcId);
        Assert.Equal("/redfish/v1/Systems/7", machine.RedfishId);
        Assert.Empty(await ConflictsAsync());
    }

    [Fact]
    public async Task ASerialMatchWithAnotherUuidOnAnotherBmcMovesNothingAddsNothingAndRecordsAConflictThatSaysBothSides()
    {
        var (u1, u2) = (Guid.NewGuid(), Guid.NewGuid());
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", u1, "SN-12345"));

        var conflicts = await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", u2, "SN-12345"));

        var machine = Assert.Single(await MachinesAsync());
        Assert.Equal((bmcY, u1), (machine.BmcId, machine.Uuid));
        Assert.Equal(1, conflicts);
        var conflict = Assert.Single(await ConflictsAsync());
        Assert.Equal((bmcX, machine.Id, u2, "SN-12345"), (conflict.BmcId, conflict.MachineId, conflict.Uuid, conflict.Serial));
        Assert.Equal($"BMC 02:00:00:00:00:0a (127.0.80.1) reports a system with serial SN-12345 and UUID {u2}; "
                     + $"machine SN-12345 (#{machine.Id}, on BMC 02:00:00:00:00:0b) has serial SN-12345 and UUID {u1}: the UUIDs differ. Discovery changed neither.",
            conflict.Summary);
    }

    [Fact]
    public async Task AGenericSerialSharedByTwoMachinesWithoutUuidsOnTwoBmcsIsAConflictNotAMove()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", null, Oem, "52:54:00:00:00:01"));

        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", null, Oem, "52:54:00:00:00:02"));

        var machine = Assert.Single(await MachinesAsync());
        Assert.Equal(bmcY, machine.BmcId);
        Assert.Equal("52:54:00:00:00:01", Assert.Single(machine.Nics).Mac);
        var conflict = Assert.Single(await ConflictsAsync());
        Assert.Contains("the serial is a placeholder and a UUID is missing", conflict.Summary);
    }

    [Fact]
    public async Task AGenericSerialWithAUuidOnBothSidesIsNoEvidenceSoTwoMachinesAreTwoMachines()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", Guid.NewGuid(), Oem));

        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", Guid.NewGuid(), Oem));

        Assert.Equal([bmcX, bmcY], (await MachinesAsync()).Select(m => m.BmcId).Order());
        Assert.Empty(await ConflictsAsync());
    }

    [Fact]
    public async Task AUniqueSerialWithoutAUuidStillFindsItsMachineOnAnotherBmc()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", null, "SN-ONLY-ONE"));

        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/3", Guid.NewGuid(), "SN-ONLY-ONE"));

        var machine = Assert.Single(await MachinesAsync());
        Assert.Equal(bmcX, machine.BmcId);
        Assert.Empty(await ConflictsAsync());
    }

    [Fact]
    public async Task ASerialTwoKnownMachinesShareDecidesNothing()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", null, "SN-DUP"), Facts("/redfish/v1/Systems/2", null, "SN-DUP"));

        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", null, "SN-DUP"));

        Assert.All(await MachinesAsync(), m => Assert.Equal(bmcY, m.BmcId));
        Assert.Contains("2 machines have this serial", Assert.Single(await ConflictsAsync()).Summary);
    }

    [Fact]
    public async Task TheConflictIsKeptOnceAcrossInventoriesAndGoesWhenTheBmcNoLongerReportsTheSystem()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", Guid.NewGuid(), "SN-AGAIN"));
        var u2 = Guid.NewGuid();
        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", u2, "SN-AGAIN"));
        var first = Assert.Single(await ConflictsAsync());

        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", u2, "SN-AGAIN"));
        var again = Assert.Single(await ConflictsAsync());
        Assert.Equal(first.Id, again.Id);
        Assert.True(again.LastSeenAt >= first.LastSeenAt);

        await InventoryAsync(bmcX);
        Assert.Empty(await ConflictsAsync());
    }

    [Fact]
    public async Task SameMachineMovesItToTheReportingBmcWithItsNewUuidAndIsAudited()
    {
        var (u1, u2) = (Guid.NewGuid(), Guid.NewGuid());
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", u1, "SN-SAME"));
        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/4", u2, "SN-SAME"));
        var conflict = Assert.Single(await ConflictsAsync());

        var outcome = await ResolveAsync(r => r.SameMachineAsync(conflict.Id, Admin, default));

        Assert.True(outcome.Succeeded, outcome.Message);
        var machine = Assert.Single(await MachinesAsync());
        Assert.Equal((bmcX, "/redfish/v1/Systems/4", u2), (machine.BmcId, machine.RedfishId, machine.Uuid));
        Assert.Empty(await ConflictsAsync());
        var audit = Assert.Single(await AuditAsync("machine.identity-confirmed"));
        Assert.Equal(("admin@test.local", machine.Id.ToString()), (audit.ActorName, audit.TargetId));
        Assert.Contains("moved from BMC 02:00:00:00:00:0b to BMC 02:00:00:00:00:0a", audit.Summary);

        // The next inventory of the new BMC finds it by UUID: no conflict comes back.
        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/4", u2, "SN-SAME"));
        Assert.Empty(await ConflictsAsync());
        Assert.Single(await MachinesAsync());
    }

    [Fact]
    public async Task DifferentMachinesAddsTheReportedSystemAsANewMachineLeavesTheKnownOneAndIsAudited()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", null, Oem, "52:54:00:00:00:01"));
        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", null, Oem, "52:54:00:00:00:02"));
        var conflict = Assert.Single(await ConflictsAsync());

        var outcome = await ResolveAsync(r => r.DifferentMachinesAsync(conflict.Id, Admin, default));

        Assert.True(outcome.Succeeded, outcome.Message);
        var machines = await MachinesAsync();
        Assert.Equal(2, machines.Count);
        Assert.Equal("52:54:00:00:00:01", Assert.Single(machines, m => m.BmcId == bmcY).Nics.Single().Mac);
        var added = Assert.Single(machines, m => m.BmcId == bmcX);
        Assert.Equal("52:54:00:00:00:02", added.Nics.Single().Mac);
        Assert.Empty(await ConflictsAsync());
        var audit = Assert.Single(await AuditAsync("machine.identity-separated"));
        Assert.Equal(added.Id.ToString(), audit.TargetId);

        // Without UUIDs the new machine is found again by its place on the BMC, not re-raised.
        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", null, Oem, "52:54:00:00:00:02"));
        Assert.Empty(await ConflictsAsync());
        Assert.Equal(2, (await MachinesAsync()).Count);
    }

    [Fact]
    public async Task AResolvedConflictCannotBeResolvedTwice()
    {
        await InventoryAsync(bmcY, Facts("/redfish/v1/Systems/1", Guid.NewGuid(), "SN-TWICE"));
        await InventoryAsync(bmcX, Facts("/redfish/v1/Systems/1", Guid.NewGuid(), "SN-TWICE"));
        var conflict = Assert.Single(await ConflictsAsync());
        Assert.True((await ResolveAsync(r => r.DifferentMachinesAsync(conflict.Id, Admin, default))).Succeeded);

        var second = await ResolveAsync(r => r.SameMachineAsync(conflict.Id, Admin, default));

        Assert.Equal(OutcomeStatus.NotFound, second.Status);
        Assert.Equal(2, (await MachinesAsync()).Count);
    }

    [Theory]
    [InlineData("To Be Filled By O.E.M.", true)]
    [InlineData("0123456789", true)]
    [InlineData("Default string", true)]
    [InlineData("System Serial Number", true)]
    [InlineData("", true)]
    [InlineData(null, true)]
    [InlineData("00000000", true)]
    [InlineData("XXXXXXXXXX", true)]
    [InlineData("CZ2D1234AB", false)]
    [InlineData("SN-12345", false)]
    public void PlaceholderSerialsAreGeneric(string? serial, bool generic) => Assert.Equal(generic, SerialNumbers.IsGeneric(serial));

    private static MachineFacts Facts(string redfishId, Guid? uuid, string serial, string mac = "52:54:00:00:00:99") => new(
        redfishId, uuid, serial, "Lab", "Server", "x86_64", "UEFI", "1.0", "CPU", 1, 8, 16, 32L << 30,
        [], [new MachineNic(mac, 10_000, "eth0")], [], "Off");

    /// <summary>One inventory of a BMC, as <see cref="BmcOnboarding"/> applies it; returns how many systems were left to an admin.</summary>
    private async Task<int> InventoryAsync(long bmcId, params MachineFacts[] systems)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var bmc = await db.Bmcs.SingleAsync(b => b.Id == bmcId);
        var identities = await SystemIdentities.LoadAsync(db, bmc, systems, default);
        var conflicts = identities.Apply(db, bmc, systems, Actor.System, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        return conflicts.Count;
    }

    private async Task<Outcome> ResolveAsync(Func<IdentityConflictResolution, Task<Outcome>> act)
    {
        await using var scope = services.CreateAsyncScope();
        return await act(scope.ServiceProvider.GetRequiredService<IdentityConflictResolution>());
    }

    private async Task<List<Machine>> MachinesAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    private async Task<List<IdentityConflict>> ConflictsAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().IdentityConflicts.AsNoTracking().OrderBy(c => c.Id).ToListAsync();
    }

    private async Task<List<AuditEvent>> AuditAsync(string action)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEvents.AsNoTracking().Where(a => a.Action == action).ToListAsync();
    }
}
