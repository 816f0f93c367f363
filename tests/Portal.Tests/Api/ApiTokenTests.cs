using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Api;

public sealed class ApiTokenTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private sealed record Me(string Id, string Email, string[] Roles);

    [Fact]
    public async Task APersonalTokenAuthenticatesApiCallsAsItsOwner()
    {
        var secret = await (await factory.SignedInAsync()).CreateTokenAsync("ci");

        var me = await factory.Api(secret).GetFromJsonAsync<Me>("/api/v1/me");
        Assert.Equal(PortalFactory.AdminEmail, me!.Email);
        Assert.Contains(Roles.Admin, me.Roles);
    }

    [Fact]
    public async Task MissingTokenGets401WithBearerChallenge()
    {
        var response = await factory.CreateClient().GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("pt_0000000000000000000000000000000000000000000000")]
    [InlineData("not-a-portal-token")]
    [InlineData("pt_' OR 1=1 --")]
    public async Task UnknownOrMalformedTokenGets401(string token)
    {
        var response = await factory.Api(token).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RevokedTokenStopsWorkingAtOnce()
    {
        var secret = await (await factory.SignedInAsync()).CreateTokenAsync("to-revoke");
        var api = factory.Api(secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);

        var tokens = await api.GetFromJsonAsync<JsonElement[]>("/api/v1/tokens");
        var id = tokens!.Single(t => t.GetProperty("name").GetString() == "to-revoke").GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task BrowserCookieDoesNotAuthenticateTheApi()
    {
        var browser = await factory.SignedInAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task TokenOfANonAdminGets403OnAdminEndpoints()
    {
        await factory.CreateUserAsync("api-user@test.local", "Api-User-Passw0rd", Roles.User);
        var secret = await (await factory.SignedInAsync("api-user@test.local", "Api-User-Passw0rd")).CreateTokenAsync("user-token");
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.Api(secret).GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.Api(secret).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task GarbageQueryValuesGetA400NotAStackTrace()
    {
        var secret = await (await factory.SignedInAsync()).CreateTokenAsync("garbage");
        var tooMany = await factory.Api(secret).GetAsync("/api/v1/audit?take=100000");
        var notNumber = await factory.Api(secret).GetAsync("/api/v1/audit?take=lots");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notNumber.StatusCode);
        Assert.DoesNotContain("   at ", await notNumber.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheApiAnonymously()
    {
        var doc = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/me", out _));
        Assert.True(paths.TryGetProperty("/api/v1/audit", out _));
    }
}
