using Portal.Lab.Hardware;

namespace Portal.Lab.Tests.Fleet;

public sealed class SeedTests
{
    [Fact]
    public void TheSeedMixIsTheSameInEveryProcess()
    {
        // Computed independently (FNV-1a over the little-endian bytes of 7, 3, 1 and 0x1ab): a
        // per-process randomised hash would give a different value in each test run.
        Assert.Equal(-1295951168, HardwareGenerator.Mix(7, 3, 1));
    }

    [Fact]
    public void TheSameSeedGivesTheSameMachines()
    {
        var nic1 = 0;
        var nic2 = 0;
        var profile = VendorProfiles.Find(VendorProfiles.DefaultMix[0]);
        var first = HardwareGenerator.Generate(profile, HardwareGenerator.RandomFor(42, 5, 0), 42, ref nic1);
        var second = HardwareGenerator.Generate(profile, HardwareGenerator.RandomFor(42, 5, 0), 42, ref nic2);
        Assert.Equal(first.Uuid, second.Uuid);
        Assert.Equal(first.SerialNumber, second.SerialNumber);
        Assert.Equal(first.TotalCores, second.TotalCores);
    }
}
