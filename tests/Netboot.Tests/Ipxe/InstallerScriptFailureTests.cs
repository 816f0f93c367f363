using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Tests.Ipxe;

public sealed class InstallerScriptFailureTests
{
    [Fact]
    public void UnknownVariableInKernelArgumentsFailsInsteadOfServingAHalfScript()
    {
        var profile = BuiltinProfiles.LabInstaller with { KernelArgs = "console=ttyS0 repo={{deployment.params.mirror}}" };
        var e = Assert.Throws<TemplateRenderException>(() => BootScripts.Installer(Samples.Context(profile), TemplateSet.Builtin));
        Assert.Equal("deployment.params.mirror", e.UnknownVariable);
        Assert.Contains("Lab installer kernel arguments", e.Message);
    }

    [Fact]
    public void KernelArgumentThatIpxeWouldExpandIsRefused()
    {
        var profile = BuiltinProfiles.LabInstaller with { KernelArgs = "console=ttyS0 x=${net0/ip}" };
        var e = Assert.Throws<NetbootRenderException>(() => BootScripts.Installer(Samples.Context(profile), TemplateSet.Builtin));
        Assert.Contains("${", e.Message);
    }

    [Fact]
    public void ParameterWithANewlineCannotReachTheScript()
    {
        var deployment = Samples.Deployment with { Parameters = new Dictionary<string, string> { ["install_seconds"] = "1\nshell" } };
        var e = Assert.Throws<TemplateRenderException>(() => BootScripts.Installer(Samples.Context(BuiltinProfiles.LabInstaller, deployment: deployment), TemplateSet.Builtin));
        Assert.Contains("install_seconds", e.Message);
    }

    [Fact]
    public void OverlongKernelCommandLineIsRefused()
    {
        var profile = BuiltinProfiles.LabInstaller with { KernelArgs = string.Join(' ', Enumerable.Repeat("quiet", 500)) };
        var e = Assert.Throws<NetbootRenderException>(() => BootScripts.Installer(Samples.Context(profile), TemplateSet.Builtin));
        Assert.Contains("2048", e.Message);
    }

    [Fact]
    public void ProfileWithoutInitrdIsRefused()
    {
        var profile = BuiltinProfiles.LabInstaller with { InitrdUrls = [] };
        Assert.Throws<NetbootRenderException>(() => BootScripts.Installer(Samples.Context(profile), TemplateSet.Builtin));
    }

    [Fact]
    public void KernelUrlWithAnotherSchemeIsRefused()
    {
        var profile = BuiltinProfiles.LabInstaller with { KernelUrl = "tftp://10.0.0.1/vmlinuz" };
        var e = Assert.Throws<NetbootRenderException>(() => BootScripts.Installer(Samples.Context(profile), TemplateSet.Builtin));
        Assert.Contains("kernel URL", e.Message);
    }

    [Fact]
    public void MalformedTokenNeverBecomesAUrl()
    {
        var deployment = Samples.Deployment with { Token = "short" };
        Assert.ThrowsAny<NetbootRenderException>(() => BootScripts.Installer(Samples.Context(BuiltinProfiles.LabInstaller, deployment: deployment), TemplateSet.Builtin));
    }

    [Fact]
    public void NewTokensAreWellFormedAndDistinct()
    {
        var a = NetbootToken.New();
        var b = NetbootToken.New();
        Assert.True(NetbootToken.IsWellFormed(a));
        Assert.NotEqual(a, b);
    }
}
