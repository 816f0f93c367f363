using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Portal.Tests.Support;

namespace Portal.Tests.Api;

/// <summary>The answers #13 found wrong, one by one: each is a problem+json with a specific detail, even under Development.</summary>
public sealed class ApiErrorTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("GET", "/api/v1/machines?cores=99999999999", 400, "\"Nullable<int> Cores\" from \"99999999999\"")]
    [InlineData("GET", "/api/v1/machines?state=bogus", 400, "Unknown state \"bogus\"")]
    [InlineData("GET", "/api/v1/machines?sort=price", 400, "Unknown sort \"price\"")]
    [InlineData("GET", "/api/v1/machines?dir=sideways", 400, "Unknown dir \"sideways\"")]
    [InlineData("GET", "/api/v1/machines?vendor=Dell%00", 400, "Query parameter 'vendor' contains a control character (U+0000 at position 5)")]
    [InlineData("POST", "/api/v1/reservations", 400, "The body is not valid JSON")]
    [InlineData("DELETE", "/api/v1/machines", 405, "does not take DELETE")]
    [InlineData("GET", "/api/v1/no-such-thing", 404, "There is no GET /api/v1/no-such-thing")]
    [InlineData("GET", "/api/v1/machines/424242", 404, "There is no machine 424242.")]
    public async Task ABadRequestGetsAProblemThatSaysWhatIsWrong(string method, string url, int status, string detail)
    {
        var api = await ApiAsync();

        var response = await api.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "POST" ? new StringContent("""{"machineIds": [1,""", Encoding.UTF8, "application/json") : null,
        });

        Assert.Equal((status, "application/problem+json"), ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheLastPossiblePageIsAnAnswerNotACrash()
    {
        var response = await (await ApiAsync()).GetAsync("/api/v1/machines?page=2147483647&size=200");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ACallWithoutATokenIsA401Problem()
    {
        var response = await factory.CreateClient().GetAsync("/api/v1/machines");

        Assert.Equal((HttpStatusCode.Unauthorized, "application/problem+json"), (response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        Assert.Contains("Bearer", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnderDevelopmentAnErrorIsStillAProblemAndNeverEchoesTheCallersToken()
    {
        var token = await (await factory.SignedInAsync()).CreateTokenAsync("dev-" + Guid.NewGuid().ToString("N")[..6]);
        using var development = factory.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        var api = development.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var responses = new[]
        {
            await api.GetAsync("/api/v1/machines?cores=99999999999"),
            await api.PostAsync("/api/v1/reservations", new StringContent("{", Encoding.UTF8, "application/json")),
            await development.CreateClient().GetAsync("/boot-files/"),
        };

        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.InRange((int)response.StatusCode, 400, 499);
            Assert.DoesNotContain(token, body);
            Assert.DoesNotContain("   at ", body);
            Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    private async Task<HttpClient> ApiAsync() =>
        factory.Api(await (await factory.SignedInAsync()).CreateTokenAsync("errors-" + Guid.NewGuid().ToString("N")[..6]));
}
