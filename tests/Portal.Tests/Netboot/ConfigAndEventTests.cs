using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>The token URLs: config only while the deployment is active, phone-home events on its timeline.</summary>
public sealed class ConfigAndEventTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TheInstallerFetchesItsConfigPostsItsPhasesAndTheTimelineShowsThemInOrder()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId);
        var client = factory.CreateClient();

        await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        var config = await client.GetStringAsync($"/netboot/config/{token}");
        var pre = await client.PostEventAsync(token, """{"phase":"pre","message":"facts","facts":{"memory_bytes":536870912,"cpu_threads":2,"nics":[{"name":"eth0","mac":"MAC"}]}}""".Replace("MAC", mac));
        var progress = await client.PostEventAsync(token, """{"phase":"progress","message":"writing disk","percent":50}""");
        var done = await client.PostEventAsync(token, """{"phase":"done","message":"lab installer finished","percent":100}""");

        Assert.Equal([HttpStatusCode.NoContent, HttpStatusCode.NoContent, HttpStatusCode.NoContent], [pre.StatusCode, progress.StatusCode, done.StatusCode]);
        Assert.Equal($"""
            # Lab installer config for web-01, rendered by Portal.
            # Machine {serial}, deployment {deploymentId}. Sourced by the lab installer's /init.
            PORTAL_DEPLOYMENT='{deploymentId}'
            PORTAL_HOSTNAME='web-01'
            PORTAL_MACHINE='{serial}'
            PORTAL_EVENTS_URL='http://localhost/netboot/events/{token}'
            PORTAL_INSTALL_SECONDS='1'
            PORTAL_SSH_KEYS='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0a2V5Zm9ycG9ydGFsbmV0Ym9vdHRlc3Rz alice@example'

            """, config);
        Assert.Equal(
            ["step started", "netboot rendered", "netboot script", "netboot config", "installer pre", "installer progress 50", "installer done 100"],
            await factory.TimelineAsync(deploymentId));
        var deployment = await factory.DeploymentAsync(deploymentId);
        Assert.Equal(config.Replace(token, Deployment.TokenPlaceholder), deployment.Config);
        Assert.Equal(config, deployment.ServedConfig(token));
        Assert.Equal((DeploymentState.Finished, MachineState.Deployed), (deployment.State, deployment.Machine!.State));
        var facts = await factory.WithDbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == deploymentId && e.Phase == "pre").Select(e => e.FactsJson).SingleAsync());
        using var json = JsonDocument.Parse(facts!);
        Assert.Equal(536870912, json.RootElement.GetProperty("memory_bytes").GetInt64());
        Assert.Equal(mac, json.RootElement.GetProperty("nics")[0].GetProperty("mac").GetString());
    }

    [Fact]
    public async Task TheConfigIsServedOnlyWhileTheDeploymentIsActive()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (_, token) = await factory.StartDeploymentAsync(machineId);
        var client = factory.CreateClient();
        await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        await client.InstallerStartsAsync(token);

        (await client.PostEventAsync(token, """{"phase":"done","message":"ok"}""")).EnsureSuccessStatusCode();

        foreach (var url in new[] { $"/netboot/config/{token}", $"/netboot/config/{token}/user-data", $"/netboot/config/{token}/meta-data" })
        {
            var after = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
            Assert.Equal("", await after.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostEventAsync(token, """{"phase":"progress","message":"late"}""")).StatusCode);
    }

    [Fact]
    public async Task AnAutoinstallDeploymentServesUserDataAndMetaData()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId, profileName: "Ubuntu 24.04 LTS (autoinstall)", hostname: "ubu-01");
        var client = factory.CreateClient();

        var script = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        var userData = await client.GetStringAsync($"/netboot/config/{token}/user-data");
        var metaData = await client.GetStringAsync($"/netboot/config/{token}/meta-data");

        Assert.Contains($"autoinstall ds=nocloud-net;s=http://localhost/netboot/config/{token}/ portal.events=", script);
        Assert.StartsWith("#cloud-config\n", userData);
        Assert.Contains("\nautoinstall:\n", userData);
        Assert.Equal($"instance-id: portal-deployment-{deploymentId}\nlocal-hostname: ubu-01\n", metaData);
        Assert.Equal(["step started", "netboot rendered", "netboot script", "netboot user-data", "netboot meta-data"], await factory.TimelineAsync(deploymentId));
    }

    [Fact]
    public async Task AFailedEventFailsTheDeploymentWithTheInstallersMessage()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId);
        var client = factory.CreateClient();
        await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        await client.GetStringAsync($"/netboot/config/{token}");

        var response = await client.PostEventAsync(token, """{"phase":"failed","message":"no disk found"}""");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var deployment = await factory.DeploymentAsync(deploymentId);
        Assert.Equal((DeploymentState.Failed, "no disk found", MachineState.Failed), (deployment.State, deployment.FailureReason, deployment.Machine!.State));
    }

    [Fact]
    public async Task UnknownAndMalformedTokensAre404WithAnEmptyBody()
    {
        var client = factory.CreateClient();
        foreach (var token in new[] { "tok_unknownunknownunknown12", "short", "has%20space%20in-it-and-long-enough", new string('a', 129) })
        {
            var config = await client.GetAsync($"/netboot/config/{token}");
            var events = await client.PostEventAsync(token, """{"phase":"progress","message":"x"}""");
            Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (config.StatusCode, events.StatusCode));
            Assert.Equal(("", ""), (await config.Content.ReadAsStringAsync(), await events.Content.ReadAsStringAsync()));
        }
    }
}
