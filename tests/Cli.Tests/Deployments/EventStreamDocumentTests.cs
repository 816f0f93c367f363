using System.Text.Json;
using Portal.Cli.Tests.Support;

namespace Portal.Cli.Tests.Deployments;

/// <summary>What the CLI relies on is in the API's OpenAPI document, for other clients too.</summary>
[Collection(CliCollection.Name)]
public sealed class EventStreamDocumentTests(CliPortal portal)
{
    [Fact]
    public async Task TheOpenApiDocumentDescribesTheEventStreamTheFleetCallsAndRediscovery()
    {
        using var http = new HttpClient();
        var paths = JsonDocument.Parse(await http.GetStringAsync($"{portal.BaseUrl}/openapi/v1.json")).RootElement.GetProperty("paths");

        var events = paths.GetProperty("/api/v1/deployments/{id}/events").GetProperty("get");
        Assert.True(events.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _));
        Assert.True(paths.GetProperty("/api/v1/fleet/apply").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/v1/fleet").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/v1/bmcs/{id}/rediscover").TryGetProperty("post", out _));
    }
}
