using Portal.Core.Machines;
using Portal.Netboot.Ipxe;
using Portal.Netboot.Serving;

namespace Portal.Netboot.Tests.Serving;

/// <summary>The in-memory directory on its own: lookup order, ties, and when it refuses to answer.</summary>
public sealed class BootDirectoryTests
{
    private static BootEntry Entry(long id, MachineState state = MachineState.Available, long? deployment = null, string[]? macs = null, Guid? uuid = null, string? serial = null) =>
        new(id, state, deployment, macs ?? [], uuid, serial);

    private static BootQuery Query(string? mac = null, Guid? uuid = null, string? serial = null) => new(mac, uuid, serial, "x86_64", "efi");

    private static BootDirectory Live(params BootEntry[] entries) => Live(new Dictionary<string, long>(), entries);

    private static BootDirectory Live(Dictionary<string, long> linked, params BootEntry[] entries)
    {
        var directory = new BootDirectory();
        directory.Publish(new Snapshot(entries.ToDictionary(e => e.MachineId), linked));
        return directory;
    }

    [Fact]
    public void ANicMacWinsOverTheUuidAndTheSerial()
    {
        var uuid = Guid.NewGuid();
        var directory = Live(Entry(1, uuid: uuid, serial: "SN-1"), Entry(2, macs: ["02:00:00:00:00:02"]));

        Assert.Equal(BootDirectory.Lookup.Known, directory.Resolve(Query("02:00:00:00:00:02", uuid, "SN-1"), out var entry));
        Assert.Equal(2, entry!.MachineId);
    }

    [Fact]
    public void AnUnknownMacFallsBackToALinkedSightingThenTheUuid()
    {
        var uuid = Guid.NewGuid();
        var directory = Live(new Dictionary<string, long> { ["mac:02:00:00:00:00:09"] = 3 },
            Entry(1, uuid: uuid), Entry(3));

        directory.Resolve(Query("02:00:00:00:00:09", uuid), out var linked);
        directory.Resolve(Query("02:00:00:00:00:08", uuid), out var byUuid);

        Assert.Equal([3L, 1L], [linked!.MachineId, byUuid!.MachineId]);
    }

    [Fact]
    public void AMachineKnownOnlyBySerialIsSerialOnlyNeverKnown()
    {
        var directory = Live(Entry(2, serial: "SN-2", macs: ["02:00:00:00:00:02"], uuid: Guid.NewGuid()));

        Assert.Equal(BootDirectory.Lookup.SerialOnly, directory.Resolve(Query("02:00:00:00:00:08", Guid.NewGuid(), "SN-2"), out var entry));
        Assert.Equal(2, entry!.MachineId);
    }

    [Fact]
    public void AMachineBeingProvisionedMatchedOnlyBySerialIsAnsweredFromMemoryAsSerialOnly()
    {
        // An active deployment makes a MAC or UUID match ask the database; a serial-only match gets no installer either way.
        var directory = Live(Entry(4, MachineState.Provisioning, deployment: 40, serial: "To Be Filled By O.E.M."));

        Assert.Equal(BootDirectory.Lookup.SerialOnly, directory.Resolve(Query("02:00:00:00:00:08", null, "To Be Filled By O.E.M."), out var entry));
        Assert.Equal(4, entry!.MachineId);
    }

    [Fact]
    public void ASerialMatchDoesNotOverrideAMacMatchOfAnotherMachine()
    {
        var directory = Live(Entry(1, serial: "SN-1"), Entry(2, macs: ["02:00:00:00:00:02"]));

        Assert.Equal(BootDirectory.Lookup.Known, directory.Resolve(Query("02:00:00:00:00:02", null, "SN-1"), out var entry));
        Assert.Equal(2, entry!.MachineId);
    }

    [Fact]
    public void TwoMachinesWithOneMacResolveToTheLowerIdLikeTheDatabase()
    {
        var directory = Live(Entry(7, macs: ["02:00:00:00:00:01"]), Entry(5, macs: ["02:00:00:00:00:01"]));

        directory.Resolve(Query("02:00:00:00:00:01"), out var entry);

        Assert.Equal(5, entry!.MachineId);
    }

    [Fact]
    public void NobodyMatchingIsUnknown() =>
        Assert.Equal(BootDirectory.Lookup.Unknown, Live(Entry(1, macs: ["02:00:00:00:00:01"])).Resolve(Query("02:00:00:00:00:02"), out _));

    [Fact]
    public void AMachineWithAnActiveDeploymentIsFoundWithItsDeploymentForTheDatabaseToConfirm()
    {
        Assert.Equal(BootDirectory.Lookup.Deploying,
            Live(Entry(1, MachineState.Provisioning, deployment: 10, macs: ["02:00:00:00:00:01"])).Resolve(Query("02:00:00:00:00:01"), out var entry));
        Assert.Equal((1L, 10L), (entry!.MachineId, entry.DeploymentId));
    }

    [Fact]
    public void BeforeItHasLoadedEverythingIsAskedOfTheDatabase() =>
        Assert.Equal(BootDirectory.Lookup.AskDatabase, new BootDirectory().Resolve(Query("02:00:00:00:00:01"), out _));

    [Fact]
    public void AMachineBeingSavedIsAskedOfTheDatabaseUntilItsChangeIsSettled()
    {
        var directory = Live(Entry(1, macs: ["02:00:00:00:00:01"]), Entry(2, macs: ["02:00:00:00:00:02"]));

        var change = directory.Suspect([1], identity: false);
        var during = (directory.Resolve(Query("02:00:00:00:00:01"), out _), directory.Resolve(Query("02:00:00:00:00:02"), out _));
        directory.Settle(change, [], sightings: false); // no refresher running: lifted at once

        Assert.Equal((BootDirectory.Lookup.AskDatabase, BootDirectory.Lookup.Known), during);
        Assert.Equal(BootDirectory.Lookup.Known, directory.Resolve(Query("02:00:00:00:00:01"), out _));
    }

    [Fact]
    public void WhileAnIdentityChangeIsBeingSavedEveryLookupIsAskedOfTheDatabase()
    {
        var directory = Live(Entry(1, macs: ["02:00:00:00:00:01"]));

        var change = directory.Suspect([], identity: true);
        var during = (directory.Resolve(Query("02:00:00:00:00:01"), out _), directory.Resolve(Query("02:00:00:00:00:09"), out _));
        directory.Release(change);
        directory.Release(change); // twice is once

        Assert.Equal((BootDirectory.Lookup.AskDatabase, BootDirectory.Lookup.AskDatabase), during);
        Assert.Equal(BootDirectory.Lookup.Unknown, directory.Resolve(Query("02:00:00:00:00:09"), out _));
    }

    [Fact]
    public void AReReadReplacesChangedMachinesAndDropsDeletedOnes()
    {
        var before = new Snapshot(new Dictionary<long, BootEntry> { [1] = Entry(1, macs: ["02:00:00:00:00:01"]), [2] = Entry(2, macs: ["02:00:00:00:00:02"]) },
            new Dictionary<string, long>());

        var after = before.With(new HashSet<long> { 1, 2 }, [Entry(2, MachineState.Maintenance, macs: ["02:00:00:00:00:01"])], null);

        Assert.Equal(2, after.Find(Query("02:00:00:00:00:01")));
        Assert.Null(after.Find(Query("02:00:00:00:00:02")));
        Assert.Equal(MachineState.Maintenance, after.ById[2].State);
    }

    [Fact]
    public void TheLocalDiskScriptSaysWhichMachineAndWhy() =>
        Assert.Equal("#!ipxe\n# Portal: boot from local disk (machine 42 is Maintenance, not being provisioned)\necho Portal: booting from local disk\nexit\n",
            System.Text.Encoding.UTF8.GetString(Entry(42, MachineState.Maintenance).LocalDiskScript));
}
