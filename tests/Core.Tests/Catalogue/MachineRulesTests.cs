using Portal.Core.Machines;

namespace Portal.Core.Tests.Catalogue;

public sealed class MachineRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-21T12:00:00Z");

    private static Machine Available()
    {
        var m = Machine.Discovered(1, "/redfish/v1/Systems/1", Now);
        m.ApplyFacts(Facts.Of(), 1, Now);
        return m;
    }

    [Fact]
    public void ReservingAnAvailableMachineRecordsHolderAndEnd()
    {
        var m = Available();
        m.Reserve("u1", "alice", Now.AddHours(4), Now);
        Assert.Equal(MachineState.Reserved, m.State);
        Assert.Equal("u1", m.ReservedById);
        Assert.Equal(Now.AddHours(4), m.ReservedUntil);
        Assert.True(m.IsHeldBy("u1"));
    }

    [Fact]
    public void ReserveFailsWhenMachineAlreadyReservedAndNamesTheHolder()
    {
        var m = Available();
        m.Reserve("u1", "alice", Now.AddHours(4), Now);
        var e = Assert.Throws<MachineStateException>(() => m.Reserve("u2", "bob", Now.AddHours(4), Now));
        Assert.Contains("already reserved by alice", e.Message);
    }

    [Fact]
    public void ReserveFailsInMaintenanceAndForAnEndInThePast()
    {
        var m = Available();
        Assert.Throws<MachineStateException>(() => m.Reserve("u1", "alice", Now, Now));
        m.EnterMaintenance("fan", Now);
        Assert.Contains("maintenance", Assert.Throws<MachineStateException>(() => m.Reserve("u1", "alice", Now.AddHours(1), Now)).Message);
    }

    [Fact]
    public void ReleaseReturnsTheMachineAndClearsTheReservation()
    {
        var m = Available();
        m.Reserve("u1", "alice", Now.AddHours(4), Now);
        m.Release(Now);
        Assert.Equal(MachineState.Available, m.State);
        Assert.Null(m.ReservedById);
        Assert.Null(m.ReservedUntil);
        Assert.Throws<MachineStateException>(() => m.Release(Now));
    }

    [Fact]
    public void ExtendOnlyForTheHolderAndOnlyLater()
    {
        var m = Available();
        m.Reserve("u1", "alice", Now.AddHours(4), Now);
        Assert.Throws<MachineStateException>(() => m.Extend("u2", Now.AddHours(8), Now));
        Assert.Throws<MachineStateException>(() => m.Extend("u1", Now.AddHours(2), Now));
        m.Extend("u1", Now.AddHours(8), Now);
        Assert.Equal(Now.AddHours(8), m.ReservedUntil);
    }

    [Fact]
    public void ExpireReleasesOnlyLapsedReservations()
    {
        var m = Available();
        m.Reserve("u1", "alice", Now.AddHours(1), Now);
        Assert.False(m.Expire(Now.AddMinutes(59)));
        Assert.True(m.Expire(Now.AddHours(1)));
        Assert.Equal(MachineState.Available, m.State);
    }

    [Fact]
    public void MaintenanceIsRefusedWhileSomeoneHoldsTheMachine()
    {
        var m = Available();
        m.Reserve("u1", "alice", Now.AddHours(1), Now);
        Assert.Contains("release it first", Assert.Throws<MachineStateException>(() => m.EnterMaintenance("disk", Now)).Message);
        m.Release(Now);
        m.EnterMaintenance("disk", Now);
        Assert.Equal("disk", m.MaintenanceReason);
        m.LeaveMaintenance(Now);
        Assert.Equal(MachineState.Available, m.State);
        Assert.Throws<MachineStateException>(() => m.LeaveMaintenance(Now));
    }

    [Fact]
    public void InventoryFillsTheGpuModelAndDiskKindColumns()
    {
        var m = Machine.Discovered(1, "/x", Now);
        m.ApplyFacts(Facts.Of(gpus: ["NVIDIA H100 PCIe", "NVIDIA H100 PCIe"], disks: [("SSD", "NVMe", 960), ("HDD", "SAS", 4000), ("SSD", "SATA", 480)]), 1, Now);
        Assert.Equal(["NVIDIA H100 PCIe"], m.GpuModels);
        Assert.Equal(["HDD", "NVMe", "SSD"], m.DiskKinds);
        Assert.Equal(2, m.GpuCount);
    }

    [Fact]
    public void TagsAreNormalised()
    {
        var m = Available();
        m.SetTags([" Rack-A ", "gpu", "rack-a", ""]);
        Assert.Equal(["gpu", "rack-a"], m.Tags);
    }
}
