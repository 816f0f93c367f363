using System.Text.Json;
using Portal.Cli.Tests.Support;
using Portal.Lab.Netboot;
using Portal.Tests.Support;

namespace Portal.Cli.Tests.Deployments;

/// <summary>`portal deploy --watch` and `portal deployments …` on lab machines that netboot through the lab's simulated firmware and installer.</summary>
[Collection(CliCollection.Name)]
public sealed class DeployCommandTests(CliPortal portal)
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreviewKeyOnlyForTheTemplateEditor00000 cli@test";

    [Fact]
    public async Task DeployWatchFollowsTwoMachinesToDeployedAndExitsZero()
    {
        var token = await portal.TokenAsync("cli-deploy");
        var ids = await portal.ReservedAsync(portal.Api(token), count: 2);
        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, $"# my key\n{Key}\n");
        try
        {
            var deploy = await portal.RunAsync(token, ["deploy", .. ids.Select(i => i.ToString()), "--profile", "Lab installer", "--hostname", "node{n}",
                "--ssh-key", $"@{keyFile}", "--param", "install_seconds=1", "--watch"]);

            Assert.True(deploy.ExitCode == 0, deploy.ToString());
            // Events as they arrive, for each machine, and the end of each.
            Assert.Contains("(node1)", deploy.Out);
            Assert.Contains("(node2)", deploy.Out);
            Assert.Matches(@"\(node1\)\s+\d\d:\d\d:\d\d\s+Netboot script:", deploy.Out);
            Assert.Matches(@"\(node2\)\s+\d\d:\d\d:\d\d\s+Installer done:", deploy.Out);
            Assert.Contains("(node1): Deployed.", deploy.Out);
            Assert.Contains("(node2): Deployed.", deploy.Out);
        }
        finally
        {
            File.Delete(keyFile);
        }

        var list = await portal.RunAsync(token, "deployments", "list", "--json");
        var mine = list.Json.EnumerateArray().Where(d => ids.Contains(d.GetProperty("machineId").GetInt64())).ToList();
        Assert.Equal(["node1", "node2"], mine.Select(d => d.GetProperty("hostname").GetString()).Order());
        Assert.All(mine, d => Assert.Equal("Finished", d.GetProperty("state").GetString()));

        var files = await portal.RunAsync(token, "deployments", "files", mine[0].GetProperty("id").GetInt64().ToString());
        Assert.True(files.ExitCode == 0, files.ToString());
        Assert.Contains("### ipxe-script", files.Out);
        Assert.Contains("#!ipxe", files.Out);
        Assert.Contains(Key, files.Out);
    }

    [Fact]
    public async Task DeployWatchAsJsonPrintsOneEventPerLineEndingWithTheRunsEnd()
    {
        var token = await portal.TokenAsync("cli-deploy-json");
        var id = (await portal.ReservedAsync(portal.Api(token)))[0];

        var deploy = await portal.RunAsync(token, "deploy", id.ToString(), "--profile", "Lab installer", "--hostname", "json-host", "--watch", "--json");

        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        var lines = deploy.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(lines, l => l.GetProperty("event").GetString() == "timeline" && l.GetProperty("data").GetProperty("phase").GetString() == "done");
        var end = lines[^1];
        Assert.Equal("end", end.GetProperty("event").GetString());
        Assert.Equal("Deployed", end.GetProperty("data").GetProperty("step").GetString());
        // Every timeline entry once.
        var entries = lines.Where(l => l.GetProperty("event").GetString() == "timeline").Select(l => l.GetProperty("data").GetProperty("id").GetInt64()).ToList();
        Assert.Equal(entries.Distinct().Count(), entries.Count);
    }

    [Fact]
    public async Task DeployWatchOfAnInstallerThatFailsExitsOneWithTheReason()
    {
        var token = await portal.TokenAsync("cli-deploy-fails");
        var id = (await portal.ReservedAsync(portal.Api(token)))[0];
        portal.Systems[id].NetbootFaults = new NetbootFaults { InstallerFailsAtPercent = 40 };

        var deploy = await portal.RunAsync(token, "deploy", id.ToString(), "--profile", "Lab installer", "--hostname", "fails", "--watch");

        Assert.Equal(ExitCodes.Failed, deploy.ExitCode);
        Assert.Contains("(fails): Failed — simulated lab installer failed at 40 % (injected)", deploy.Out);

        // A failed run can be retried; the retry is a new deployment that also fails here.
        var failedId = (await portal.RunAsync(token, "deployments", "list", "--machine", id.ToString(), "--json")).Json[0].GetProperty("id").GetInt64();
        var retry = await portal.RunAsync(token, "deployments", "retry", failedId.ToString(), "--watch");
        Assert.Equal(ExitCodes.Failed, retry.ExitCode);
        Assert.Contains("started again", retry.Out);
    }

    [Fact]
    public async Task CancelStopsAnActiveRunAndCancellingAgainExitsSix()
    {
        var token = await portal.TokenAsync("cli-cancel");
        var id = (await portal.ReservedAsync(portal.Api(token)))[0];
        portal.Systems[id].NetbootFaults = new NetbootFaults { FirmwareNeverAsks = true };

        var deploy = await portal.RunAsync(token, "deploy", id.ToString(), "--profile", "Lab installer", "--hostname", "cancelled", "--json");
        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        var deploymentId = deploy.Json.GetProperty("id").GetInt64().ToString();

        var cancel = await portal.RunAsync(token, "deployments", "cancel", deploymentId);
        var again = await portal.RunAsync(token, "deployments", "cancel", deploymentId);
        var show = await portal.RunAsync(token, "deployments", "show", deploymentId);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal(ExitCodes.Conflict, again.ExitCode);
        Assert.Contains("Cancelled", show.Out);
    }

    [Fact]
    public async Task DeployingAnAvailableMachineReservesItFirstAndWatchesItToDeployed()
    {
        var token = await portal.TokenAsync("cli-pick-and-deploy");
        var id = await portal.AddMachineAsync();

        var deploy = await portal.RunAsync(token, "deploy", id.ToString(), "--profile", "Lab installer", "--hostname", "picked", "--param", "install_seconds=1", "--watch");

        Assert.True(deploy.ExitCode == 0, deploy.ToString());
        Assert.Contains("Reserved ", deploy.Out);
        Assert.Contains("(picked): Deployed.", deploy.Out);
        var show = await portal.RunAsync(token, "machines", "show", id.ToString(), "--json");
        Assert.StartsWith("cli-pick-and-deploy", show.Json.GetProperty("reservedBy").GetString());
    }

    [Fact]
    public async Task DeployingAMachineSomeoneElseHoldsIsRefusedWithThePortalsReason()
    {
        var owner = await portal.TokenAsync("cli-deploy-holder");
        var id = (await portal.ReservedAsync(portal.Api(owner)))[0];
        var token = await portal.TokenAsync("cli-not-mine");

        var deploy = await portal.RunAsync(token, "deploy", id.ToString(), "--profile", "Lab installer", "--hostname", "x");

        Assert.Contains(deploy.ExitCode, new[] { ExitCodes.Conflict, ExitCodes.Forbidden });
        Assert.StartsWith("error: ", deploy.Error);
    }

    [Fact]
    public async Task AnUnknownProfileExitsFiveListingTheProfiles()
    {
        var token = await portal.TokenAsync("cli-bad-profile");
        var id = (await portal.ReservedAsync(portal.Api(token)))[0];

        var deploy = await portal.RunAsync(token, "deploy", id.ToString(), "--profile", "No such OS", "--hostname", "x");

        Assert.Equal(ExitCodes.NotFound, deploy.ExitCode);
        Assert.Contains("There is no OS profile \"No such OS\"; there are: ", deploy.Error);
        Assert.Contains("\"Lab installer\"", deploy.Error);
    }

    [Fact]
    public async Task SomeoneElsesDeploymentIsNotFound()
    {
        var owner = await portal.TokenAsync("cli-owner");
        var stranger = await portal.TokenAsync("cli-stranger");
        var id = (await portal.ReservedAsync(portal.Api(owner)))[0];
        portal.Systems[id].NetbootFaults = new NetbootFaults { FirmwareNeverAsks = true };
        var deploymentId = (await portal.RunAsync(owner, "deploy", id.ToString(), "--profile", "Lab installer", "--hostname", "secret", "--json")).Json.GetProperty("id").GetInt64().ToString();

        var show = await portal.RunAsync(stranger, "deployments", "show", deploymentId);
        var watch = await portal.RunAsync(stranger, "deployments", "watch", deploymentId);

        Assert.Equal(ExitCodes.NotFound, show.ExitCode);
        Assert.Equal(ExitCodes.NotFound, watch.ExitCode);
        Assert.Contains($"There is no deployment {deploymentId} that you can see.", watch.Error);
        Assert.Equal(0, (await portal.RunAsync(owner, "deployments", "cancel", deploymentId)).ExitCode);
    }
}
