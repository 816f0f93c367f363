using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Users;
using Portal.Netboot;
using Portal.Netboot.Dhcp;
using Portal.Tests.Support;
using Portal.TestSupport;

namespace Portal.Tests.Netboot;

/// <summary>A Portal told to run dnsmasq on an interface this machine does not have.</summary>
public sealed class MisconfiguredDhcpPortal : PortalFactory
{
    public const string MissingInterface = "portaltest9";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Netboot:Dhcp:Mode", "Proxy");
        builder.UseSetting("Netboot:Dhcp:Interface", MissingInterface);
        builder.UseSetting("Netboot:Dhcp:ProxySubnet", "10.9.0.0");
        builder.UseSetting("Netboot:Dhcp:RangeStart", "10.9.0.100");
        builder.UseSetting("Netboot:Dhcp:RangeEnd", "10.9.0.200");
    }
}

/// <summary>Portal-managed dnsmasq as admins see it: its state, its configuration as text, and a bad setting that breaks nothing else.</summary>
public sealed class DhcpTests(MisconfiguredDhcpPortal portal) : ComponentTest(portal), IClassFixture<MisconfiguredDhcpPortal>
{
    private async Task<HttpClient> AdminApiAsync() => portal.Api(await portal.CreateTokenAsync(PortalFactory.AdminEmail, "dhcp"));

    [Fact]
    public async Task AnUnknownInterfaceIsAClearErrorAndThePortalKeepsWorking()
    {
        var api = await AdminApiAsync();
        JsonElement status = default;
        await Eventually.TrueAsync(async () =>
        {
            status = await api.GetFromJsonAsync<JsonElement>("/api/v1/netboot/dhcp");
            return status.GetProperty("lastError").ValueKind == JsonValueKind.String;
        }, "the supervisor to report the bad interface");

        Assert.Equal("Proxy", status.GetProperty("mode").GetString());
        Assert.False(status.GetProperty("running").GetBoolean());
        Assert.StartsWith($"Netboot:Dhcp:Interface '{MisconfiguredDhcpPortal.MissingInterface}' does not exist on this machine (it has: lo",
            status.GetProperty("lastError").GetString());
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateClient().GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.CreateClient().GetAsync("/boot.ipxe")).StatusCode);
    }

    [Fact]
    public async Task TheConfigurationIsServedAsTextForOperatorsWhoRunDnsmasqThemselves()
    {
        var api = await AdminApiAsync();
        var proxy = await api.GetAsync("/api/v1/netboot/dhcp/dnsmasq.conf");
        var full = await api.GetStringAsync("/api/v1/netboot/dhcp/dnsmasq.conf?mode=full");
        var off = await api.GetAsync("/api/v1/netboot/dhcp/dnsmasq.conf?mode=off");

        Assert.Equal("text/plain; charset=utf-8", proxy.Content.Headers.ContentType!.ToString());
        var text = await proxy.Content.ReadAsStringAsync();
        Assert.Contains("\ndhcp-range=10.9.0.0,proxy\n", text);
        Assert.Contains($"\ninterface={MisconfiguredDhcpPortal.MissingInterface}\n", text);
        Assert.Contains("\ndhcp-boot=tag:ipxe,http://localhost/boot.ipxe\n", text);
        Assert.Contains("\ndhcp-range=10.9.0.100,10.9.0.200,255.255.255.0,12h\n", full);
        Assert.Equal(HttpStatusCode.BadRequest, off.StatusCode);
        Assert.Equal("application/problem+json", off.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task OnlyAdminsSeeTheDhcpApi()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var user = new AppUser { UserName = "plain@test.local", Email = "plain@test.local", EmailConfirmed = true };
        Assert.True((await users.CreateAsync(user, "Plain-Passw0rd!")).Succeeded);
        var api = portal.Api(await portal.CreateTokenAsync("plain@test.local", "plain"));

        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/netboot/dhcp")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/netboot/dhcp/dnsmasq.conf")).StatusCode);
    }

    [Fact]
    public async Task FirmwareFilesAnswerHeadLikeGetAndTheStatefulRoutesRefuseItWithoutASignInRedirect()
    {
        var http = portal.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var get = await http.GetAsync("/boot.ipxe");
        var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/boot.ipxe"));
        var script = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/netboot/machine.ipxe?mac=52:54:00:00:00:01"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        // (The body is dropped by Kestrel for HEAD; this in-memory test server passes it through.)
        Assert.Equal(HttpStatusCode.MethodNotAllowed, script.StatusCode);
        Assert.Equal("GET", script.Content.Headers.Allow.Single());
        if (File.Exists("/usr/lib/ipxe/ipxe.efi"))
        {
            var efi = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/netboot/ipxe/ipxe.efi"));
            Assert.Equal(HttpStatusCode.OK, efi.StatusCode);
            Assert.Equal(File.ReadAllBytes("/usr/lib/ipxe/ipxe.efi").Length, efi.Content.Headers.ContentLength); // a link in Debian: the file it names
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/netboot/ipxe/ipxe.lkrn")).StatusCode);
    }

    [Fact]
    public async Task TheNetworkBootPageShowsModeInterfaceStateAndTheError()
    {
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var status = Services.GetRequiredService<DhcpStatus>();
        await Eventually.TrueAsync(() => status.Current.LastError is not null, "the supervisor to report the bad interface");
        var page = RenderInteractive<DhcpPage>();

        Assert.Equal("Proxy", page.Find("[data-dhcp=mode]").TextContent);
        Assert.Equal(MisconfiguredDhcpPortal.MissingInterface, page.Find("[data-dhcp=interface]").TextContent);
        Assert.Contains("not running", page.Find("[data-dhcp=running]").TextContent);
        Assert.Contains("does not exist on this machine", page.Find("#dhcp-error").TextContent);
        Assert.Contains("dhcp-range=10.9.0.0,proxy", page.Find("#dhcp-config").TextContent);
        Assert.NotNull(page.Find("#dhcp-no-requests"));
    }
}
