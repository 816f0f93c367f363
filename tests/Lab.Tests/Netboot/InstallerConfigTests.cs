using Portal.Lab.Netboot;
using static Portal.Lab.Tests.Netboot.ScriptedPortal;

namespace Portal.Lab.Tests.Netboot;

/// <summary>What the simulated installers read from the kernel command line, and which configs they accept.</summary>
public sealed class InstallerConfigTests
{
    private static readonly Uri Kernel = new(Base + "/boot-files/x/vmlinuz");

    [Theory]
    [InlineData("ip=dhcp inst.ks=http://127.0.0.1:5080/netboot/config/t1 portal.events=x", InstallerKind.Kickstart, "/netboot/config/t1")]
    [InlineData("console=ttyS0 portal.ks=http://127.0.0.1:5080/netboot/config/t2", InstallerKind.LabInstaller, "/netboot/config/t2")]
    [InlineData("autoinstall ds=nocloud-net;s=http://127.0.0.1:5080/netboot/config/t3/ ip=dhcp", InstallerKind.Autoinstall, "/netboot/config/t3/")]
    public void TheConfigArgumentTellsWhichInstallerRuns(string commandLine, InstallerKind kind, string path)
    {
        var (found, url) = InstallerConfig.FromCommandLine(commandLine, Kernel)!.Value;

        Assert.Equal((kind, path), (found, url.AbsolutePath));
    }

    [Fact]
    public void ACommandLineWithoutAConfigNamesNoInstaller() =>
        Assert.Null(InstallerConfig.FromCommandLine("console=ttyS0 quiet", Kernel));

    [Theory]
    [InlineData(InstallerKind.Kickstart, "alma9.ks")]
    [InlineData(InstallerKind.Kickstart, "rocky9.ks")]
    [InlineData(InstallerKind.Autoinstall, "ubuntu2404.user-data")]
    [InlineData(InstallerKind.LabInstaller, "lab-installer.conf")]
    public void EachInstallerAcceptsWhatThePortalRendersForIt(InstallerKind kind, string golden)
    {
        var text = Golden(golden);

        Assert.Null(InstallerConfig.Problem(kind, text));
        Assert.Equal(Base + "/netboot/events/tok_5aY3kPq9RrW2xZ8mN4vB7c", InstallerConfig.EventsFromConfig(text, Kernel)?.AbsoluteUri);
    }

    [Theory]
    [InlineData(InstallerKind.Kickstart, "ubuntu2404.user-data", "not a kickstart")]
    [InlineData(InstallerKind.Kickstart, "lab-installer.conf", "no %packages section")]
    [InlineData(InstallerKind.Autoinstall, "alma9.ks", "does not start with #cloud-config")]
    [InlineData(InstallerKind.LabInstaller, "alma9.ks", "is not a NAME=value assignment")]
    public void EachInstallerRefusesAnotherKindOfConfig(InstallerKind kind, string golden, string problem) =>
        Assert.Contains(problem, InstallerConfig.Problem(kind, Golden(golden)));

    [Fact]
    public void AKickstartWithAnUnclosedSectionIsRefused() =>
        Assert.Equal("section %pre is not closed by %end", InstallerConfig.Problem(InstallerKind.Kickstart, "text\n%packages\n%end\n%pre\necho hi\n"));

    [Fact]
    public void ALabConfigMayQuoteAValueOverSeveralLines() =>
        Assert.Null(InstallerConfig.Problem(InstallerKind.LabInstaller, "# keys\nPORTAL_EVENTS_URL='http://x/e'\nPORTAL_SSH_KEYS='ssh-ed25519 A a@b\nssh-rsa B it'\\''s\n'\n"));
}
