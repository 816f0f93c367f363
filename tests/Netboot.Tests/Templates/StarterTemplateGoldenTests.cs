using Portal.Netboot.Templates;

namespace Portal.Netboot.Tests.Templates;

public sealed class StarterTemplateGoldenTests
{
    [Fact]
    public void RockyKickstartRendersCompletely() =>
        Golden.Matches("rocky9.ks", TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9)));

    [Fact]
    public void AlmaKickstartRendersCompletely() =>
        Golden.Matches("alma9.ks", TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Alma9)));

    [Fact]
    public void UbuntuAutoinstallUserDataRendersCompletely() =>
        Golden.Matches("ubuntu2404.user-data", TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Ubuntu2404)));

    [Fact]
    public void UbuntuNoCloudMetaDataNamesTheInstanceAndHost() =>
        Golden.Matches("ubuntu2404.meta-data", NoCloud.MetaData(Samples.Deployment));

    [Fact]
    public void LabInstallerConfigRendersCompletely() =>
        Golden.Matches("lab-installer.conf", TemplateSet.Builtin.RenderConfig(Samples.Lab));

    [Fact]
    public void KickstartWithoutPasswordHashLocksRootAndListsEveryKey()
    {
        var deployment = Samples.Deployment with
        {
            RootPasswordHash = null,
            SshKeys = [.. Samples.Deployment.SshKeys, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ bob"],
        };
        var ks = TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9, deployment: deployment));
        Assert.Contains("\nrootpw --lock\n", ks);
        Assert.Contains("\nsshkey --username=root \"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ bob\"\n", ks);
    }

    [Fact]
    public void DeploymentParametersOverrideProfileDefaults()
    {
        var deployment = Samples.Deployment with { Parameters = new Dictionary<string, string> { ["timezone"] = "Europe/Berlin" } };
        var ks = TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9, deployment: deployment));
        Assert.Contains("\ntimezone Europe/Berlin --utc\n", ks);
    }

    [Fact]
    public void EveryStarterProfileRendersItsTemplate()
    {
        foreach (var profile in BuiltinProfiles.All)
            Assert.NotEmpty(TemplateSet.Builtin.RenderConfig(Samples.Context(profile)));
    }
}
