using Portal.Netboot.Templates;

namespace Portal.Netboot.Tests.Templates;

public sealed class StrictRenderingTests
{
    [Fact]
    public void UnknownVariableIsAnErrorNamingItAndTheTemplate()
    {
        var set = TemplateSet.Builtin.With(templates: [new TemplateSource("mine", "host {{deployment.hostnme}}\n")]);
        var e = Assert.Throws<TemplateRenderException>(() => set.Render("mine", Samples.Lab));
        Assert.Equal("deployment.hostnme", e.UnknownVariable);
        Assert.Equal("mine", e.TemplateName);
        Assert.Equal("Template 'mine': unknown variable 'deployment.hostnme'", e.Message);
    }

    [Fact]
    public void UnknownParameterIsAnErrorEvenInsideAnIf()
    {
        var e = Assert.Throws<TemplateRenderException>(() =>
            TemplateSet.Builtin.RenderText("preview", "{{#if deployment.params.nope}}x{{/if}}", Samples.Lab));
        Assert.Equal("deployment.params.nope", e.UnknownVariable);
    }

    [Fact]
    public void UnknownVariableInsideASnippetFailsTheTemplateThatIncludesIt()
    {
        var set = TemplateSet.Builtin.With(snippets: [new TemplateSource("kickstart-network", "network --hostname={{machine.fqdn}}\n")]);
        var e = Assert.Throws<TemplateRenderException>(() => set.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9)));
        Assert.Equal(BuiltinTemplates.RhelKickstart, e.TemplateName);
        Assert.Equal("machine.fqdn", e.UnknownVariable);
    }

    [Fact]
    public void UserSnippetOverridesTheBuiltInOneByName()
    {
        var set = TemplateSet.Builtin.With(snippets: [new TemplateSource("kickstart-network", "network --bootproto=static --ip=10.1.2.3 --hostname={{deployment.hostname}}\n")]);
        var ks = set.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9));
        Assert.Contains("\nnetwork --bootproto=static --ip=10.1.2.3 --hostname=web-01\n", ks);
        Assert.DoesNotContain("--bootproto=dhcp", ks);
        // The built-in set is unchanged.
        Assert.Contains("--bootproto=dhcp", TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9)));
    }

    [Fact]
    public void UserTemplateOverridesTheBuiltInOneByName()
    {
        var set = TemplateSet.Builtin.With(templates: [new TemplateSource(BuiltinTemplates.LabInstaller, "HOST={{shell deployment.hostname}}\n")]);
        Assert.Equal("HOST='web-01'\n", set.RenderConfig(Samples.Lab));
    }

    [Fact]
    public void MissingSnippetIsAnErrorNamingIt()
    {
        var e = Assert.Throws<TemplateRenderException>(() =>
            TemplateSet.Builtin.RenderText("preview", "a\n{{> disk-layout}}\nb\n", Samples.Lab));
        Assert.Equal("disk-layout", e.MissingSnippet);
        Assert.Equal("Template 'preview': snippet 'disk-layout' does not exist", e.Message);
    }

    [Fact]
    public void UnknownTemplateNameIsAnError()
    {
        var e = Assert.Throws<TemplateRenderException>(() => TemplateSet.Builtin.Render("nope", Samples.Lab));
        Assert.Contains("no template with this name", e.Message);
    }

    [Fact]
    public void SyntaxErrorIsAnErrorNamingTheTemplate()
    {
        var e = Assert.Throws<TemplateRenderException>(() => TemplateSet.Builtin.RenderText("broken", "{{ deployment.hostname }", Samples.Lab));
        Assert.StartsWith("Template 'broken': syntax error", e.Message);
    }

    [Fact]
    public void NullValuesRenderEmptyButAreNotUnknown()
    {
        var machine = Samples.Machine with { Serial = null };
        Assert.Equal("serial=[]", TemplateSet.Builtin.RenderText("t", "serial=[{{machine.serial}}]", Samples.Context(Portal.Netboot.Templates.BuiltinProfiles.LabInstaller, machine)));
    }

    [Fact]
    public void OutputIsNotHtmlEscapedButHelpersQuote()
    {
        var deployment = Samples.Deployment with { Parameters = new Dictionary<string, string> { ["install_seconds"] = "it's <1> & \"2\"" } };
        var context = Samples.Context(BuiltinProfiles.LabInstaller, deployment: deployment);
        Assert.Equal("it's <1> & \"2\"", TemplateSet.Builtin.RenderText("t", "{{deployment.params.install_seconds}}", context));
        Assert.Equal("'it'\\''s <1> & \"2\"'", TemplateSet.Builtin.RenderText("t", "{{shell deployment.params.install_seconds}}", context));
        Assert.Equal("\"it's <1> & \\\"2\\\"\"", TemplateSet.Builtin.RenderText("t", "{{json deployment.params.install_seconds}}", context));
    }

    [Theory]
    [InlineData("bad_host!")]
    [InlineData("-web")]
    [InlineData("web\nrootpw x")]
    public void InvalidHostnameFailsTheRender(string hostname)
    {
        var deployment = Samples.Deployment with { Hostname = hostname };
        var e = Assert.Throws<TemplateRenderException>(() => TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9, deployment: deployment)));
        Assert.Contains("not a valid DNS name", e.Message);
    }

    [Fact]
    public void MultiLineSshKeyFailsTheRender()
    {
        var deployment = Samples.Deployment with { SshKeys = ["ssh-ed25519 AAAA x\n%post\nrm -rf /\n%end"] };
        var e = Assert.Throws<TemplateRenderException>(() => TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9, deployment: deployment)));
        Assert.Contains("SSH key", e.Message);
    }

    [Fact]
    public void PlainPasswordInsteadOfAHashFailsTheRender()
    {
        var deployment = Samples.Deployment with { RootPasswordHash = "hunter2" };
        var e = Assert.Throws<TemplateRenderException>(() => TemplateSet.Builtin.RenderConfig(Samples.Context(BuiltinProfiles.Rocky9, deployment: deployment)));
        Assert.Contains("crypt(3) hash", e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public void BuiltInSetListsTheStarterTemplatesAndSnippets()
    {
        Assert.Equal(["lab-installer", "rhel-kickstart", "ubuntu-autoinstall"], TemplateSet.Builtin.TemplateNames.Order());
        Assert.Equal(["autoinstall-network", "autoinstall-ssh-keys", "kickstart-network", "kickstart-ssh-keys", "phone-home"], TemplateSet.Builtin.SnippetNames.Order());
    }
}
