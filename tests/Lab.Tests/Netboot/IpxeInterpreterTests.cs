using Portal.Lab.Netboot;
using static Portal.Lab.Tests.Netboot.ScriptedPortal;

namespace Portal.Lab.Tests.Netboot;

/// <summary>The simulated firmware's iPXE: the subset the Portal emits, run against Portal-rendered scripts.</summary>
public sealed class IpxeInterpreterTests
{
    private static readonly Uri BootIpxe = new(Base + "/boot.ipxe");

    [Fact]
    public async Task TheBootstrapChainsToTheMachineScriptWithTheMachinesIdentityFilledIn()
    {
        var portal = new ScriptedPortal().Serve("/boot.ipxe", Golden("bootstrap.ipxe")).Serve("/netboot/machine.ipxe", Golden("local-disk.ipxe"));

        var outcome = await portal.Interpreter(platform: "efi").BootAsync(BootIpxe, default);

        Assert.IsType<IpxeOutcome.LocalBoot>(outcome);
        Assert.Equal(
            Base + "/netboot/machine.ipxe?mac=52-54-00-12-34-56&uuid=11111111-2222-3333-4444-555555555555&serial=SN%2042%2Fa&buildarch=x86_64&platform=efi",
            portal.Requests[1].OriginalString);
    }

    [Fact]
    public async Task AnInstallerScriptDownloadsThePortalsKernelAndInitrdAndBootsWithItsCommandLine()
    {
        var portal = new ScriptedPortal()
            .Serve("/netboot/machine.ipxe", Golden("installer-lab-uefi.ipxe"))
            .Serve("/netboot/files/tok_5aY3kPq9RrW2xZ8mN4vB7c/lab-installer/vmlinuz", "kernel").Serve("/netboot/files/tok_5aY3kPq9RrW2xZ8mN4vB7c/lab-installer/initrd.img", "initrd");

        var outcome = await portal.Interpreter().BootAsync(new Uri(Base + "/netboot/machine.ipxe"), default);

        var boot = Assert.IsType<IpxeOutcome.KernelBoot>(outcome);
        Assert.Equal(Base + "/netboot/files/tok_5aY3kPq9RrW2xZ8mN4vB7c/lab-installer/vmlinuz", boot.Kernel.AbsoluteUri);
        Assert.StartsWith("initrd=initrd.img console=ttyS0 panic=10 portal.ks=" + Base + "/netboot/config/", boot.CommandLine);
        Assert.Equal([Base + "/netboot/files/tok_5aY3kPq9RrW2xZ8mN4vB7c/lab-installer/initrd.img"], boot.Initrds.Select(u => u.AbsoluteUri));
        Assert.Equal(["/netboot/machine.ipxe", "/netboot/files/tok_5aY3kPq9RrW2xZ8mN4vB7c/lab-installer/vmlinuz", "/netboot/files/tok_5aY3kPq9RrW2xZ8mN4vB7c/lab-installer/initrd.img"], portal.Requests.Select(u => u.AbsolutePath));
    }

    [Fact]
    public async Task KernelAndInitrdOnAMirrorAreSkippedNeverRequestedAndTheBootGoesOn()
    {
        var portal = new ScriptedPortal().Serve("/netboot/machine.ipxe", Golden("installer-rocky-bios.ipxe"));

        var outcome = await portal.Interpreter().BootAsync(new Uri(Base + "/netboot/machine.ipxe"), default);

        var boot = Assert.IsType<IpxeOutcome.KernelBoot>(outcome);
        Assert.Equal("dl.rockylinux.org", boot.Kernel.Host);
        Assert.Contains("inst.ks=" + Base + "/netboot/config/", boot.CommandLine);
        Assert.All(portal.Requests, u => Assert.Equal("127.0.0.1", u.Host));
        Assert.Single(portal.Requests);
    }

    [Fact]
    public async Task AKernelThePortalCannotServeFallsThroughToTheFailedLabelAndExits()
    {
        var portal = new ScriptedPortal().Serve("/netboot/machine.ipxe", Golden("installer-lab-bios.ipxe")); // no boot files: 404
        var ipxe = portal.Interpreter();

        var outcome = await ipxe.BootAsync(new Uri(Base + "/netboot/machine.ipxe"), default);

        Assert.Equal(new IpxeOutcome.LocalBoot("exit 1"), outcome);
        Assert.Equal(["Portal: could not start the installer for deployment 7, trying the next boot device"], ipxe.Console);
    }

    [Fact]
    public async Task SetGotoIseqAndTheOrAndOperatorsSteerTheScript()
    {
        var portal = new ScriptedPortal().Serve("/k", "kernel");
        var ipxe = portal.Interpreter();
        var script = """
            #!ipxe
            set target disk
            iseq ${target} install && goto install || goto ${target}
            :install
            echo wrong branch
            exit 3
            :disk
            echo on ${platform} with ${mac:hexhyp}
            set target install
            iseq ${target} install && goto install2
            exit 4
            :install2
            kernel --name k /k first args
            imgargs k replaced args
            boot
            """;

        var outcome = await ipxe.RunAsync(script, new Uri(Base + "/netboot/machine.ipxe"), 0, default);

        var boot = Assert.IsType<IpxeOutcome.KernelBoot>(outcome);
        Assert.Equal("replaced args", boot.CommandLine);
        Assert.Equal(["on pcbios with 52-54-00-12-34-56"], ipxe.Console);
    }

    [Fact]
    public async Task AChainToAForeignUrlIsSkippedAndCountsAsAFailedCommand()
    {
        var portal = new ScriptedPortal();
        var ipxe = portal.Interpreter();

        var outcome = await ipxe.RunAsync("#!ipxe\nchain http://boot.example.com/menu.ipxe || goto failed\nexit\n:failed\necho skipped\nexit 1\n",
            BootIpxe, 0, default);

        Assert.Equal(new IpxeOutcome.LocalBoot("exit 1"), outcome);
        Assert.Empty(portal.Requests);
    }

    [Fact]
    public async Task SanbootAndExitBootTheLocalDiskAndAScriptThatRunsOutDoesToo()
    {
        var ipxe = new ScriptedPortal().Interpreter();

        Assert.IsType<IpxeOutcome.LocalBoot>(await ipxe.RunAsync("#!ipxe\nsanboot --no-describe --drive 0x80\n", BootIpxe, 0, default));
        Assert.Equal(new IpxeOutcome.LocalBoot("exit"), await ipxe.RunAsync(Golden("local-disk.ipxe"), BootIpxe, 0, default));
        Assert.Null(await ipxe.RunAsync("#!ipxe\necho nothing to boot\n", BootIpxe, 0, default));
    }

    [Fact]
    public async Task AScriptWithoutItsHeaderOrOneThatLoopsIsRefused()
    {
        var ipxe = new ScriptedPortal().Interpreter();

        var headless = await Assert.ThrowsAsync<IpxeScriptException>(() => ipxe.RunAsync("kernel /k\nboot\n", BootIpxe, 0, default));
        var loop = await Assert.ThrowsAsync<IpxeScriptException>(() => ipxe.RunAsync("#!ipxe\n:top\ngoto top\n", BootIpxe, 0, default));

        Assert.Contains("no #!ipxe line", headless.Message);
        Assert.Contains("loops", loop.Message);
    }

    [Fact]
    public async Task AnUnknownCommandFailsLikeOneMissingFromTheBuild()
    {
        var ipxe = new ScriptedPortal().Interpreter();

        Assert.Equal(new IpxeOutcome.LocalBoot("exit 2"), await ipxe.RunAsync("#!ipxe\nmenu Pick one || exit 2\nexit\n", BootIpxe, 0, default));
    }
}
