using Portal.Core.Provisioning;
using Portal.Provisioning;

namespace Portal.Tests.Provisioning;

public sealed class ProvisionInputTests
{
    [Fact]
    public void ParameterLinesAreKeyEqualsValueWithCommentsAndBlankLinesSkipped()
    {
        var parameters = ProvisionInput.Parameters("repo_url = http://mirror/os?a=b\r\n\n# note\ntimezone=Etc/UTC\n", out var error);

        Assert.Null(error);
        Assert.Equal(new Dictionary<string, string> { ["repo_url"] = "http://mirror/os?a=b", ["timezone"] = "Etc/UTC" }, parameters);
    }

    [Fact]
    public void SshKeysAreCheckedLineByLineWithTheRuleCoreApplies()
    {
        Assert.Null(ProvisionInput.CheckSshKeys("ssh-ed25519 AAAA a@b\r\n\n  ecdsa-sha2-nistp256 AAAA c@d  \n"));
        Assert.Null(ProvisionInput.CheckSshKeys(null));
        Assert.Equal("Line 2: \"AAAAB3Nza c@d\" does not look like an SSH public key (ssh-ed25519 / ssh-rsa / ecdsa-...).",
            ProvisionInput.CheckSshKeys("ssh-rsa AAAA a@b\nAAAAB3Nza c@d"));
    }

    [Theory]
    [InlineData("just text", "line 1: \"just text\" is not key=value")]
    [InlineData("a=1\na=2", "line 2: \"a\" is given twice")]
    [InlineData("1abc=x", "Parameter name \"1abc\"")]
    [InlineData("bad-name=x", "Parameter name \"bad-name\"")]
    public void BadParameterLinesAreNamed(string text, string message)
    {
        ProvisionInput.Parameters(text, out var error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void APatternNumbersTheMachinesOrUsesTheirNames()
    {
        Assert.Equal("node2.lab", ProvisionInput.Hostname(" node{n}.lab ", 2, "x"));
        Assert.Equal("lab-dell-01.lab", ProvisionInput.Hostname("{name}.lab", 1, "Lab Dell_01"));
        Assert.Null(ProvisionInput.CheckPattern("web", 1));
        Assert.Contains("needs {n} or {name}", ProvisionInput.CheckPattern("web", 3));
        Assert.Contains("Give a hostname", ProvisionInput.CheckPattern(" ", 1));
    }

    [Theory]
    [InlineData(DeploymentState.Active, null, null, 0)]
    [InlineData(DeploymentState.Active, 35, null, 35)]
    [InlineData(DeploymentState.Active, 35, 50, 67)]
    [InlineData(DeploymentState.Active, 95, 100, 99)]
    [InlineData(DeploymentState.Failed, 25, null, 25)]
    [InlineData(DeploymentState.Finished, 35, 10, 100)]
    public void ProgressIsTheStepsShareThenTheInstallersAndOnlyAFinishedRunIsAtAHundred(DeploymentState state, int? step, int? installer, int expected) =>
        Assert.Equal(expected, DeploymentProgress.Percent(state, step, installer));
}
