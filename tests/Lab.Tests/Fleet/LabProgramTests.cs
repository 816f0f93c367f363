namespace Portal.Lab.Tests.Fleet;

public sealed class LabProgramTests
{
    [Fact]
    public void CommandLineBecomesOptions()
    {
        var (o, verbose) = LabProgram.Parse(["--bmcs", "50", "--seed", "9", "--http", "--vms", "2", "--profiles", "dell,hpe", "--netboot-url", "http://10.0.2.2:5000/boot.ipxe", "--verbose"]);
        Assert.Equal(50, o.BmcCount);
        Assert.Equal(9, o.Seed);
        Assert.False(o.Https);
        Assert.Equal(2, o.VmBackedCount);
        Assert.Equal(["dell", "hpe"], o.Profiles);
        Assert.Equal("http://10.0.2.2:5000/boot.ipxe", o.NetbootUrl);
        Assert.True(verbose);
    }

    [Fact]
    public void UnknownOptionsAndProfilesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => LabProgram.Parse(["--bogus"]));
        Assert.Throws<ArgumentException>(() => LabProgram.Parse(["--profiles", "ibm"]));
        Assert.Throws<ArgumentException>(() => LabProgram.Parse(["--bmcs"]));
    }
}
