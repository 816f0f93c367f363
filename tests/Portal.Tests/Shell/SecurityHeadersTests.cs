using System.Net;
using Microsoft.AspNetCore.Hosting;
using Portal.Tests.Support;

namespace Portal.Tests.Shell;

/// <summary>A Portal behind a reverse proxy at 10.63.0.1, the only address whose forwarded headers it believes.</summary>
public sealed class ProxiedPortal : PortalFactory
{
    public const string Proxy = "10.63.0.1";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Network:TrustedProxies:0", Proxy);
    }
}

/// <summary>What every response tells the browser: HSTS and secure cookies over HTTPS, a CSP, no framing.</summary>
public sealed class SecurityHeadersTests(ProxiedPortal portal) : IClassFixture<ProxiedPortal>
{
    [Fact]
    public async Task OverHttpsCookiesAreSecureAndHstsIsSent()
    {
        var https = portal.BrowserFrom("10.63.1.1", "https://portal.example");
        var page = await https.GetAsync("/account/login");

        Assert.StartsWith("max-age=", page.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.All(CookiesOf(page), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        var login = await https.LoginAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Contains(CookiesOf(login), c => c.StartsWith("portal.auth=") && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task BehindTheTrustedProxyForwardedHttpsMakesCookiesSecureButNobodyElseCanSaySo()
    {
        var viaProxy = portal.BrowserFrom(ProxiedPortal.Proxy);
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        viaProxy.DefaultRequestHeaders.Add("X-Forwarded-For", "192.0.2.10");
        var proxied = await viaProxy.GetAsync("/account/login");
        Assert.NotEmpty(CookiesOf(proxied));
        Assert.All(CookiesOf(proxied), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        var stranger = portal.BrowserFrom("10.63.1.2");
        stranger.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var direct = await stranger.GetAsync("/account/login");
        Assert.NotEmpty(CookiesOf(direct));
        Assert.All(CookiesOf(direct), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.False(direct.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/")]
    [InlineData("/api/v1/me")]
    public async Task EveryResponseCarriesTheContentSecurityPolicyAndForbidsFraming(string url)
    {
        var response = await portal.Browser().GetAsync(url);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self';", csp);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    private static List<string> CookiesOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.ToList() : [];
}
