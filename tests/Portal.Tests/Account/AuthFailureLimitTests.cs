using System.Net;
using System.Net.Http.Headers;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

/// <summary>Failed sign-ins and failed API tokens are limited per address (10 a minute by default); good tokens never count.</summary>
public sealed class AuthFailureLimitTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnAddressThatKeepsGuessingTokensGets429ProblemJsonWhileOthersAndGoodTokensElsewhereDoNot()
    {
        var good = await factory.CreateTokenAsync(PortalFactory.AdminEmail, "limit-good");
        var guesser = factory.BrowserFrom("10.62.0.1");
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(guesser, $"pt_{i:x48}")).StatusCode);

        var refused = await Send(guesser, $"pt_{99:x48}");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many failed sign-ins or API token checks from your address", await refused.Content.ReadAsStringAsync());
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) is > 0 and <= 60);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Send(guesser, good)).StatusCode); // not even checked

        Assert.Equal(HttpStatusCode.OK, (await Send(factory.BrowserFrom("10.62.0.2"), good)).StatusCode);
    }

    [Fact]
    public async Task GoodTokensNeverCountAgainstTheirAddress()
    {
        var good = await factory.CreateTokenAsync(PortalFactory.AdminEmail, "limit-poller");
        var poller = factory.BrowserFrom("10.62.1.1");
        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.OK, (await Send(poller, good)).StatusCode);
    }

    [Fact]
    public async Task AnAddressThatKeepsFailingToSignInGets429BeforeItsPasswordIsChecked()
    {
        await factory.CreateUserAsync("limited@test.local", "Limited-Passw0rd", Roles.User);
        var guesser = factory.BrowserFrom("10.62.2.1");
        // Different accounts, so no lockout answers: the limit is per address.
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await guesser.LoginAsync($"someone-{i}@test.local", "guess")).StatusCode);

        var refused = await guesser.LoginAsync("limited@test.local", "Limited-Passw0rd");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Try again in", BrowserSession.Parse(await refused.Content.ReadAsStringAsync()).QuerySelector("#rate-limited")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await factory.BrowserFrom("10.62.2.2").LoginAsync("limited@test.local", "Limited-Passw0rd")).StatusCode);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
