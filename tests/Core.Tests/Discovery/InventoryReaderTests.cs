using Portal.Core.Bmcs;
using Portal.Core.Discovery.Inventory;
using Portal.Core.Redfish;
using Portal.Core.Tests.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Discovery;

public sealed class InventoryLab() : LabFixture(new LabOptions { FirstAddress = "127.0.40.1", BmcCount = 16, Seed = 40 });

/// <summary>Inventory of every lab BMC (all vendor profiles) compared with the lab's ground truth.</summary>
public sealed class InventoryReaderTests(InventoryLab fixture) : IClassFixture<InventoryLab>
{
    private readonly LabFleet _lab = fixture.Lab;
    private readonly RedfishClientFactory _factory = LabClients.Factory();
    private readonly InventoryReader _reader = new();

    public static TheoryData<int> BmcIndexes => new(Enumerable.Range(0, 16));

    [Theory]
    [MemberData(nameof(BmcIndexes))]
    public async Task InventoryOfLabBmcMatchesTheLabsGroundTruth(int index)
    {
        var bmc = _lab.Bmcs[index];
        await using var client = await _factory.ConnectAsync(bmc);

        var inventory = await _reader.ReadAsync(client);

        Assert.Equal(MacAddress.Parse(bmc.Mac), inventory.Bmc.Mac);
        Assert.Equal(bmc.Profile.Vendor, inventory.Bmc.Vendor);
        Assert.Equal(bmc.Profile.ManagerModel, inventory.Bmc.Model);
        Assert.Equal(bmc.Profile.FirmwareVersion, inventory.Bmc.FirmwareVersion);
        Assert.Equal(bmc.Systems.Count, inventory.Systems.Count);

        foreach (var labSystem in bmc.Systems)
        {
            var facts = labSystem.Facts;
            var system = Assert.Single(inventory.Systems, s => s.ODataId == labSystem.RedfishPath);
            Assert.Equal(facts.Uuid.ToString(), system.Uuid);
            Assert.Equal(facts.SerialNumber, system.SerialNumber);
            Assert.Equal(facts.Manufacturer, system.Manufacturer);
            Assert.Equal(facts.Model, system.Model);
            Assert.Equal(facts.BiosVersion, system.BiosVersion);
            Assert.Equal(labSystem.PowerState.ToString(), system.PowerState.ToString());
            Assert.Equal("x86_64", system.Architecture);
            Assert.Equal(labSystem.Boot.Mode, system.BootMode);

            Assert.Equal(new Portal.Core.Discovery.Inventory.CpuFacts(facts.CpuModel, facts.Sockets, facts.TotalCores, facts.TotalThreads), system.Cpu);
            Assert.Equal(facts.MemoryBytes, system.MemoryBytes);

            Assert.Equal(
                facts.Nics.Select(n => (MacAddress.Parse(n.Mac), (long?)n.SpeedMbps)).Order(),
                system.Nics.Select(n => (n.Mac, n.SpeedMbps)).Order());

            Assert.Equal(
                facts.Gpus.Select(g => (g.Model, g.Manufacturer)).Order(),
                system.Gpus.Select(g => (g.Model!, g.Vendor!)).Order());

            Assert.Equal(facts.Disks.Select(d => (d.Model, d.CapacityBytes)).Order(), system.Disks.Select(d => (d.Model!, d.CapacityBytes)).Order());
            if (!bmc.Profile.SimpleStorageOnly)
            {
                // SimpleStorage carries no media type or protocol; Storage/Drives must give both exactly.
                Assert.Equal(
                    facts.Disks.Select(d => (d.Model, d.MediaType, d.Protocol, d.CapacityBytes)).Order(),
                    system.Disks.Select(d => (d.Model!, d.MediaType.ToString(), d.Protocol.ToString(), d.CapacityBytes)).Order());
            }
        }
    }

    [Fact]
    public async Task TheLabCoversBladesSimpleStorageAndGpus()
    {
        // Guards the theory above against a lab mix that silently stops exercising the hard cases.
        Assert.Contains(_lab.Bmcs, b => b.Systems.Count > 1);
        Assert.Contains(_lab.Bmcs, b => b.Profile.SimpleStorageOnly);
        Assert.Contains(_lab.Systems, s => s.Facts.Gpus.Count > 0);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task InventoryKeepsEveryLabBmcWithinTwoConcurrentRequests()
    {
        _lab.ResetStats();
        // A little latency per request, so the walk's parallel reads really overlap on a busy machine.
        foreach (var bmc in _lab.Bmcs) bmc.Faults = new FaultSettings { LatencyMs = 30 };
        try
        {
            var tasks = _lab.Bmcs.Select(async bmc =>
            {
                await using var client = await _factory.ConnectAsync(bmc);
                return await _reader.ReadAsync(client);
            });
            await Task.WhenAll(tasks);
        }
        finally
        {
            foreach (var bmc in _lab.Bmcs) bmc.Faults = FaultSettings.None;
        }

        Assert.All(_lab.Bmcs, b => Assert.InRange(b.Stats.MaxInFlight, 1, 2));
        // The walk does run requests in parallel where it can.
        Assert.Contains(_lab.Bmcs, b => b.Stats.MaxInFlight == 2);
    }
}
