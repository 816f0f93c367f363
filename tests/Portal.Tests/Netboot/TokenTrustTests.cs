using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>
/// A run's token is in its installer script only, so it is trusted only as far as that goes: from
/// the address that fetched the script, after the config was fetched, in the order an installer
/// reports. Everything else is refused, audited and shown on the timeline, and the run goes on.
/// </summary>
public sealed class TokenTrustTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string Machine = "10.20.0.15";
    private const string Attacker = "10.66.6.6";

    [Fact]
    public async Task AConfigFetchFromAnotherAddressThanTheScriptsIsRefusedAuditedAndAWarningOnTheTimeline()
    {
        var (id, token, machine) = await ProvisioningMachineAsync();
        var attacker = From(Attacker);

        var stolen = await attacker.GetAsync($"/netboot/config/{token}");
        var own = await machine.GetAsync($"/netboot/config/{token}");

        Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);
        Assert.DoesNotContain("PORTAL_", await stolen.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var refused = await RefusalsAsync(id);
        Assert.Equal([$"Refused the config to {Attacker}: the token is bound to {Machine}, which fetched the installer script"], refused);
        Assert.Contains(await factory.WithDbAsync(db => db.AuditEvents.Where(a => a.Action == "netboot.token-refused" && a.TargetId == id.ToString()).Select(a => a.Summary).ToListAsync()),
            s => s.Contains(Attacker));
    }

    [Fact]
    public async Task ADoneFromAnotherAddressIsRefusedAndTheRunStaysActive()
    {
        var (id, token, machine) = await ProvisioningMachineAsync();
        await machine.InstallerStartsAsync(token);

        var faked = await From(Attacker).PostEventAsync(token, """{"phase":"done","message":"all good"}""");

        Assert.Equal(HttpStatusCode.Forbidden, faked.StatusCode);
        var deployment = await factory.DeploymentAsync(id);
        Assert.Equal((DeploymentState.Active, MachineState.Provisioning), (deployment.State, deployment.Machine!.State));
        Assert.Single(await RefusalsAsync(id), r => r.StartsWith($"Refused an installer event from {Attacker}"));
    }

    [Fact]
    public async Task ATokenWhoseScriptNobodyFetchedIsRefused()
    {
        var (mac, uuid, serial) = NewIdentity();
        var (id, token) = await factory.StartDeploymentAsync(await factory.CreateMachineAsync(mac, uuid, serial));

        var config = await From(Machine).GetAsync($"/netboot/config/{token}");

        Assert.Equal(HttpStatusCode.Forbidden, config.StatusCode);
        Assert.Contains("no machine has fetched this run's installer script yet", Assert.Single(await RefusalsAsync(id)));
    }

    [Fact]
    public async Task AProfileThatAllowsAnyAddressServesAnInstallerThatMovedToANewAddress()
    {
        await factory.WithDbAsync(async db =>
        {
            if (await db.OsProfiles.AnyAsync(p => p.Name == "Lab installer, any address")) return 0;
            var lab = await db.OsProfiles.AsNoTracking().SingleAsync(p => p.Name == "Lab installer");
            var moving = OsProfile.Create("Lab installer, any address", lab.InstallerKind, lab.KernelUrl, lab.InitrdUrls, lab.KernelArgs, lab.TemplateName,
                lab.DefaultParameters, builtIn: false, DateTimeOffset.UtcNow);
            moving.SetTokenBoundToAddress(false, DateTimeOffset.UtcNow);
            db.OsProfiles.Add(moving);
            return await db.SaveChangesAsync();
        });
        var (id, token, _) = await ProvisioningMachineAsync("Lab installer, any address");
        var movedTo = From("10.20.1.99");

        Assert.Equal(HttpStatusCode.OK, (await movedTo.GetAsync($"/netboot/config/{token}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await movedTo.PostEventAsync(token, """{"phase":"pre","message":"new lease"}""")).StatusCode);
        Assert.Empty(await RefusalsAsync(id));
    }

    [Fact]
    public async Task EventsBeforeTheConfigWasFetchedAreRefusedBecauseNoInstallerCanBeRunning()
    {
        var (id, token, machine) = await ProvisioningMachineAsync();

        var early = await machine.PostEventAsync(token, """{"phase":"done","message":"done already"}""");

        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("the installer config has not been fetched", await early.Content.ReadAsStringAsync());
        Assert.True((await factory.DeploymentAsync(id)).IsActive);
        Assert.Single(await RefusalsAsync(id), r => r.StartsWith("Refused a \"done\" event from " + Machine));
    }

    [Fact]
    public async Task ADoneBeforePreIsRefusedAndThePreThenDoneOfTheRealInstallerIsAccepted()
    {
        var (id, token, machine) = await ProvisioningMachineAsync();
        (await machine.GetAsync($"/netboot/config/{token}")).EnsureSuccessStatusCode();

        var skipped = await machine.PostEventAsync(token, """{"phase":"done","message":"skipped ahead"}""");
        var pre = await machine.PostEventAsync(token, """{"phase":"pre","message":"started"}""");
        var done = await machine.PostEventAsync(token, """{"phase":"done","message":"installed"}""");

        Assert.Equal([HttpStatusCode.Conflict, HttpStatusCode.NoContent, HttpStatusCode.NoContent], [skipped.StatusCode, pre.StatusCode, done.StatusCode]);
        Assert.Equal(DeploymentState.Finished, (await factory.DeploymentAsync(id)).State);
        Assert.Contains("\"done\" before \"pre\"", Assert.Single(await RefusalsAsync(id)));
    }

    [Fact]
    public async Task AWipeIsNotDoneUntilItsInstallerReportedThatTheDisksAreWiped()
    {
        var (installId, token, machine) = await ProvisioningMachineAsync(held: true);
        await machine.InstallerStartsAsync(token);
        (await machine.PostEventAsync(token, """{"phase":"done","message":"installed"}""")).EnsureSuccessStatusCode();
        var (wipeId, wipeToken) = await StartWipeAsync((await factory.DeploymentAsync(installId)).MachineId);
        var (mac, uuid, serial) = await IdentityOfAsync(wipeId);
        Assert.Contains("# Portal installer", await machine.GetStringAsync(ScriptUrl(mac, uuid, serial)));
        await machine.InstallerStartsAsync(wipeToken);

        var tooSoon = await machine.PostEventAsync(wipeToken, """{"phase":"done","message":"wiped, honest"}""");
        var post = await machine.PostEventAsync(wipeToken, """{"phase":"post","message":"disks wiped"}""");
        var done = await machine.PostEventAsync(wipeToken, """{"phase":"done","message":"wipe finished"}""");

        Assert.Equal([HttpStatusCode.Conflict, HttpStatusCode.NoContent, HttpStatusCode.NoContent], [tooSoon.StatusCode, post.StatusCode, done.StatusCode]);
        Assert.Contains("a wipe is done only after its installer reported \"post\"", Assert.Single(await RefusalsAsync(wipeId)));
        Assert.Equal(DeploymentState.Finished, (await factory.DeploymentAsync(wipeId)).State);
    }

    [Fact]
    public async Task OnlyTheFirstRefusalsOfARunAreRecordedSoAFloodFillsNeitherTimelineNorAudit()
    {
        var (id, token, _) = await ProvisioningMachineAsync();
        var attacker = From(Attacker);

        for (var i = 0; i < Deployment.MaxRecordedRefusals + 10; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await attacker.GetAsync($"/netboot/config/{token}")).StatusCode);

        Assert.Equal(Deployment.MaxRecordedRefusals, (await RefusalsAsync(id)).Count);
        Assert.Equal(Deployment.MaxRecordedRefusals + 10, (await factory.DeploymentAsync(id)).RefusedTokenUses);
    }

    /// <summary>A provisioning machine that fetched its installer script from <see cref="Machine"/>.</summary>
    private async Task<(long Id, string Token, HttpClient Machine)> ProvisioningMachineAsync(string profile = "Lab installer", bool held = false)
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        if (held)
        {
            await factory.WithDbAsync(async db =>
            {
                var user = await db.Users.FirstAsync();
                (await db.Machines.SingleAsync(m => m.Id == machineId)).Reserve(user.Id, user.UserName!, DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow);
                return await db.SaveChangesAsync();
            });
        }
        var (id, token) = await factory.StartDeploymentAsync(machineId, profile);
        var machine = From(Machine);
        Assert.Contains("# Portal installer", await machine.GetStringAsync(ScriptUrl(mac, uuid, serial)));
        return (id, token, machine);
    }

    /// <summary>A client whose requests reach the Portal from <paramref name="address"/>.</summary>
    private HttpClient From(string address) =>
        new(factory.Server.CreateHandler(http => http.Connection.RemoteIpAddress = IPAddress.Parse(address))) { BaseAddress = factory.Server.BaseAddress };

    private Task<List<string>> RefusalsAsync(long id) =>
        factory.WithDbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == id && e.Phase == "refused").OrderBy(e => e.Id).Select(e => e.Message).ToListAsync());

    private Task<(long, string)> StartWipeAsync(long machineId) => factory.WithDbAsync(async db =>
    {
        var machine = await db.Machines.SingleAsync(m => m.Id == machineId);
        var wipe = await db.OsProfiles.SingleAsync(p => p.Name == "Lab installer");
        var release = Deployment.StartRelease(machine, (await db.Users.FirstAsync()).Id, wipe, "wipe-01", DateTimeOffset.UtcNow);
        db.Deployments.Add(release);
        await db.SaveChangesAsync();
        return (release.Id, release.IssuedToken!);
    });

    private Task<(string, Guid, string)> IdentityOfAsync(long deploymentId) => factory.WithDbAsync(async db =>
    {
        var machineId = await db.Deployments.Where(d => d.Id == deploymentId).Select(d => d.MachineId).SingleAsync();
        var machine = await db.Machines.AsNoTracking().SingleAsync(m => m.Id == machineId);
        return (machine.Nics[0].Mac, machine.Uuid!.Value, machine.Serial!);
    });
}

/// <summary>Behind a configured reverse proxy the token is bound to the machine's forwarded address, and only that proxy is believed.</summary>
public sealed class TokenTrustBehindAProxyTests(TokenTrustBehindAProxyTests.ProxiedPortal factory) : IClassFixture<TokenTrustBehindAProxyTests.ProxiedPortal>
{
    private const string Proxy = "10.20.9.1";

    public sealed class ProxiedPortal : PortalFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting($"{Portal.Hosting.TrustedProxies.Section}:0", Proxy);
        }
    }

    [Fact]
    public async Task TheTokenIsBoundToTheForwardedAddressAndAnotherMachineBehindTheProxyIsRefused()
    {
        var (mac, uuid, serial) = NewIdentity();
        var (id, token) = await factory.StartDeploymentAsync(await factory.CreateMachineAsync(mac, uuid, serial));
        var machine = Via(Proxy, forwardedFor: "10.20.0.15");
        Assert.Contains("# Portal installer", await machine.GetStringAsync(ScriptUrl(mac, uuid, serial)));

        var other = await Via(Proxy, forwardedFor: "10.20.0.99").GetAsync($"/netboot/config/{token}");
        var spoofed = await Via("10.66.6.6", forwardedFor: "10.20.0.15").GetAsync($"/netboot/config/{token}");
        var own = await machine.GetAsync($"/netboot/config/{token}");

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK], [other.StatusCode, spoofed.StatusCode, own.StatusCode]);
        var refused = await factory.WithDbAsync(db => db.DeploymentEvents.Where(e => e.DeploymentId == id && e.Phase == "refused").OrderBy(e => e.Id).Select(e => e.Message).ToListAsync());
        Assert.Equal(["Refused the config to 10.20.0.99: the token is bound to 10.20.0.15, which fetched the installer script",
            "Refused the config to 10.66.6.6: the token is bound to 10.20.0.15, which fetched the installer script"], refused);
    }

    private HttpClient Via(string socketAddress, string forwardedFor)
    {
        var client = new HttpClient(factory.Server.CreateHandler(http => http.Connection.RemoteIpAddress = IPAddress.Parse(socketAddress))) { BaseAddress = factory.Server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        return client;
    }
}
