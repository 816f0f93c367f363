using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>
/// The URL in a stored script comes from configuration only: a forged Host header cannot point a
/// machine's installer elsewhere, and a Portal that does not know its URL provisions nothing.
/// </summary>
public sealed class NetbootAddressTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AForgedHostHeaderNeverPutsItsAddressIntoAStoredScript()
    {
        var (mac, uuid, serial) = NewIdentity();
        var (id, token) = await factory.StartDeploymentAsync(await factory.CreateMachineAsync(mac, uuid, serial));
        var forged = factory.CreateClient();
        forged.DefaultRequestHeaders.Host = "attacker.example:8080";

        var bootstrap = await forged.GetStringAsync("/boot.ipxe");
        var script = await forged.GetStringAsync(ScriptUrl(mac, uuid, serial));

        Assert.DoesNotContain("attacker.example", bootstrap + script);
        Assert.Contains($"portal.ks=http://localhost/netboot/config/{token}", script);
        Assert.DoesNotContain("attacker.example", (await factory.DeploymentAsync(id)).IpxeScript);
    }

    [Fact]
    public async Task AHostNamingAnotherConfiguredUrlGetsThatOne()
    {
        await using var twoNetworks = new TwoNetworksPortal();
        await twoNetworks.InitializeAsync();
        var (mac, uuid, serial) = NewIdentity();
        var (_, token) = await twoNetworks.StartDeploymentAsync(await twoNetworks.CreateMachineAsync(mac, uuid, serial));
        var vm = twoNetworks.CreateClient();
        vm.DefaultRequestHeaders.Host = "10.0.2.2:5080";

        Assert.Contains($"portal.ks=http://10.0.2.2:5080/netboot/config/{token}", await vm.GetStringAsync(ScriptUrl(mac, uuid, serial)));
    }

    [Fact]
    public async Task WithoutAPublicUrlNothingCanBeProvisionedAndTheFirmwareIsToldWhy()
    {
        await using var unconfigured = new UnconfiguredPortal();
        await unconfigured.InitializeAsync();
        var machineId = await unconfigured.CreateMachineAsync(NewIdentity().Mac, Guid.NewGuid(), "SN-UNCONFIGURED");
        await using var scope = unconfigured.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Portal.Core.Persistence.AppDbContext>();
        var admin = await db.Users.FirstAsync();
        var who = new Requester(admin.Id, admin.UserName!, IsOperator: true);
        Assert.True((await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync([machineId], null, who)).Succeeded);
        var profile = await db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync();

        var started = await scope.ServiceProvider.GetRequiredService<ProvisioningService>()
            .StartAsync(new DeploymentRequest(machineId, profile, "web-01", [], new Dictionary<string, string>()), who);
        var bootstrap = await unconfigured.CreateClient().GetAsync("/boot.ipxe");

        Assert.Null(started.DeploymentId);
        Assert.Contains("Netboot:PublicBaseUrl is not set", started.Outcome.Message);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, bootstrap.StatusCode);
        Assert.Contains("Netboot:PublicBaseUrl is not configured", await bootstrap.Content.ReadAsStringAsync());
    }

    private sealed class UnconfiguredPortal : PortalFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Netboot:PublicBaseUrl", "");
        }
    }

    private sealed class TwoNetworksPortal : PortalFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Netboot:AlsoReachableAt:0", "http://10.0.2.2:5080");
        }
    }
}
