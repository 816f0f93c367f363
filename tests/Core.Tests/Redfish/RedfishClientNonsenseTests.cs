using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Redfish;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Tests.Redfish;

/// <summary>
/// Answers the lab cannot give on purpose (it is a faithful Redfish service): an HTML error page,
/// JSON that is not a resource, links to another host. A tiny plain-HTTP server on 127.0.47.1
/// plays the broken device.
/// </summary>
public sealed class BrokenDevice : IAsyncLifetime
{
    private WebApplication _app = null!;

    public BmcEndpoint Endpoint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.47.1:0");
        _app = builder.Build();
        _app.MapGet("/redfish/v1", () => Results.Content(
            """{"@odata.id":"/redfish/v1","Systems":{"@odata.id":"/redfish/v1/Systems"},"Managers":{"@odata.id":"https://127.0.0.99/redfish/v1/Managers"},"Chassis":{"@odata.id":"/redfish/v1/Chassis"}}""",
            "application/json"));
        _app.MapGet("/redfish/v1/Systems", () => Results.Content("<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html"));
        _app.MapGet("/redfish/v1/Chassis", () => Results.Content("""{"Name":"no odata id"}""", "application/json"));
        _app.MapGet("/redfish/v1/Chassis/1", () => Results.Content("""{"@odata.id":"/redfish/v1/Chassis/1","Model":{"nested":"object where a string belongs"}}""", "application/json"));
        _app.MapGet("/redfish/v1/plain", () => Results.Text("hello"));
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Endpoint = new BmcEndpoint("127.0.47.1", address.Port, UseHttps: false);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();
}

public sealed class RedfishClientNonsenseTests(BrokenDevice device) : IClassFixture<BrokenDevice>
{
    private readonly RedfishClient _client = LabClients.Factory().Create(device.Endpoint, TlsPolicy.Verify);

    [Fact]
    public async Task HtmlErrorPageIsAMalformedResponse()
    {
        var e = await Assert.ThrowsAsync<RedfishException>(() => _client.GetAsync<ResourceCollection>("/redfish/v1/Systems"));
        Assert.Equal(RedfishErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("HTML page", e.Message);
        Assert.Contains("(GET /redfish/v1/Systems)", e.Message);
    }

    [Fact]
    public async Task JsonWithoutODataIdIsNotAResource()
    {
        var e = await Assert.ThrowsAsync<RedfishException>(() => _client.GetAsync<ResourceCollection>("/redfish/v1/Chassis"));
        Assert.Equal(RedfishErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("no @odata.id", e.Message);
    }

    [Fact]
    public async Task JsonOfTheWrongShapeIsAMalformedResponse()
    {
        var e = await Assert.ThrowsAsync<RedfishException>(() => _client.GetAsync<Chassis>("/redfish/v1/Chassis/1"));
        Assert.Equal(RedfishErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("$.Model", e.Message);
    }

    [Fact]
    public async Task PlainTextIsAMalformedResponse()
    {
        var e = await Assert.ThrowsAsync<RedfishException>(() => _client.GetAsync<Chassis>("/redfish/v1/plain"));
        Assert.Equal(RedfishErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("text/plain", e.Message);
    }

    [Fact]
    public async Task LinkToAnotherHostIsNeverFollowed()
    {
        var e = await Assert.ThrowsAsync<RedfishException>(() => _client.GetManagersAsync());
        Assert.Equal(RedfishErrorKind.MalformedResponse, e.Kind);
        Assert.Contains("another host", e.Message);
    }

    [Fact]
    public async Task UnknownPathIsAnHttpErrorWithItsStatus()
    {
        var e = await Assert.ThrowsAsync<RedfishException>(() => _client.GetAsync<Chassis>("/redfish/v1/Nope"));
        Assert.Equal(RedfishErrorKind.HttpError, e.Kind);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.StatusCode);
    }
}
