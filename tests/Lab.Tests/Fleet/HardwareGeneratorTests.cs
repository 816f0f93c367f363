using Portal.Lab.Hardware;

namespace Portal.Lab.Tests.Fleet;

public sealed class HardwareGeneratorTests
{
    private static List<HardwareFacts> Machines(int count)
    {
        var nic = 0;
        return Enumerable.Range(0, count)
            .Select(i => HardwareGenerator.Generate(VendorProfiles.All[i % VendorProfiles.All.Count], HardwareGenerator.RandomFor(7, i, 0), 7, ref nic))
            .ToList();
    }

    [Fact]
    public void MachinesStayWithinRealisticBounds()
    {
        foreach (var m in Machines(600))
        {
            Assert.InRange(m.Sockets, 1, 2);
            Assert.InRange(m.TotalCores, 8, 128);
            Assert.Equal(m.TotalCores * 2, m.TotalThreads);
            Assert.InRange(m.MemoryBytes, 32L << 30, 2048L << 30);
            Assert.InRange(m.Disks.Count, 1, 8);
            Assert.InRange(m.Nics.Count, 2, 4);
            Assert.InRange(m.Gpus.Count, 0, 8);
            Assert.All(m.Disks, d => Assert.Contains((d.MediaType, d.Protocol), new[] { ("SSD", "NVMe"), ("SSD", "SATA"), ("HDD", "SAS"), ("HDD", "SATA") }));
        }
    }

    [Fact]
    public void TheFleetIsVaried()
    {
        var machines = Machines(600);
        Assert.True(machines.Select(m => m.Model).Distinct().Count() > 15);
        Assert.True(machines.Select(m => m.CpuModel).Distinct().Count() > 10);
        Assert.Contains(machines, m => m.Sockets == 1);
        Assert.Contains(machines, m => m.Gpus.Count == 0);
        Assert.Contains(machines, m => m.Gpus.Count == 8);
        Assert.Contains(machines, m => m.Gpus.Any(g => g.Manufacturer.StartsWith("Advanced Micro Devices")));
        Assert.Contains(machines, m => m.Disks.Select(d => d.Protocol).Distinct().Count() > 1);
    }

    [Fact]
    public void MacsAndUuidsAndSerialsAreUnique()
    {
        var machines = Machines(2000);
        var macs = machines.SelectMany(m => m.Nics.Select(n => n.Mac)).ToList();
        Assert.Equal(macs.Count, macs.Distinct().Count());
        Assert.Equal(machines.Count, machines.Select(m => m.Uuid).Distinct().Count());
        Assert.All(macs, m => Assert.Matches("^([0-9a-f]{2}:){5}[0-9a-f]{2}$", m));
        var bmcMacs = Enumerable.Range(0, 5000).Select(i => HardwareGenerator.Mac("d0:94:66", 1, i)).ToList();
        Assert.Equal(bmcMacs.Count, bmcMacs.Distinct().Count());
    }
}
