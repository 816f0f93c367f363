using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Lab.Tests.Support;

/// <summary>
/// A lab fleet for one test, over real HTTPS on loopback. Each test class passes its own
/// first address so classes can run in parallel without sharing BMCs.
/// </summary>
internal sealed class TestLab : IAsyncDisposable
{
    private readonly List<HttpClient> clients = [];

    private TestLab(LabFleet fleet, string directory)
    {
        Fleet = fleet;
        Directory = directory;
    }

    public LabFleet Fleet { get; }
    public string Directory { get; }

    public static async Task<TestLab> StartAsync(string firstAddress, LabOptions? options = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-lab-tests", Guid.NewGuid().ToString("N"));
        var o = (options ?? new LabOptions()) with { FirstAddress = firstAddress, OutputDirectory = dir };
        var fleet = await LabFleet.StartAsync(o);
        return new TestLab(fleet, dir);
    }

    public LabBmc Bmc(string profile) => Fleet.Bmcs.First(b => b.Profile.Name == profile);

    /// <summary>A client for one BMC that trusts its self-signed certificate; Basic auth unless told otherwise.</summary>
    public HttpClient Client(LabBmc bmc, bool basicAuth = true, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        var client = new HttpClient(handler) { BaseAddress = bmc.BaseUri, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (basicAuth) client.DefaultRequestHeaders.Authorization = BasicAuth(bmc.Username, bmc.Password);
        clients.Add(client);
        return client;
    }

    public HttpClient ControlClient()
    {
        var client = new HttpClient { BaseAddress = Fleet.ControlUri, Timeout = TimeSpan.FromSeconds(30) };
        clients.Add(client);
        return client;
    }

    public static AuthenticationHeaderValue BasicAuth(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public async ValueTask DisposeAsync()
    {
        foreach (var c in clients) c.Dispose();
        await Fleet.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A VM log may still be closing; the temp folder is cleaned by the OS eventually.
        }
    }
}

internal static class HttpExtensions
{
    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string uri)
    {
        using var response = await client.GetAsync(uri);
        Assert.True(response.IsSuccessStatusCode, $"GET {uri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    // Redfish property names are case-sensitive PascalCase: no camel-casing of the test's anonymous objects.
    private static readonly System.Text.Json.JsonSerializerOptions Redfish = new() { PropertyNamingPolicy = null };

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string uri, object body) =>
        client.PostAsJsonAsync(uri, body, Redfish);

    public static async Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string uri, object body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, uri) { Content = JsonContent.Create(body, options: Redfish) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    /// <summary>The MessageId of the first @Message.ExtendedInfo entry of a Redfish error body.</summary>
    public static async Task<string> RedfishMessageIdAsync(this HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("Base.1.", body["error"]!["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["error"]!["message"]!.GetValue<string>()));
        return body["error"]!["@Message.ExtendedInfo"]![0]!["MessageId"]!.GetValue<string>();
    }

    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (condition()) return true;
            await Task.Delay(50);
        }
        return condition();
    }
}
