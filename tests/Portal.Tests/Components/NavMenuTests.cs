using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Users;
using Portal.Shell;

namespace Portal.Tests.Components;

public sealed class NavMenuTests
{
    [Theory]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.Operator, false)]
    [InlineData(Roles.User, false)]
    public async Task AdminLinksFollowTheRole(string role, bool seesAdminLinks)
    {
        var doc = await RenderAsSignedIn(role);
        Assert.Equal(seesAdminLinks, doc.QuerySelector("[data-nav=admin-users]") is not null);
        Assert.Equal(seesAdminLinks, doc.QuerySelector("[data-nav=admin-audit]") is not null);
        Assert.NotNull(doc.QuerySelector("#live-status"));
        Assert.Equal("someone@example.com", doc.QuerySelector("#current-user")!.TextContent);
    }

    [Fact]
    public async Task AnonymousVisitorsSeeOnlySignIn()
    {
        var doc = await Render(new ClaimsPrincipal(new ClaimsIdentity()));
        Assert.Null(doc.QuerySelector("#live-status"));
        Assert.NotNull(doc.QuerySelector("a[href='/account/login']"));
    }

    private static Task<AngleSharp.Html.Dom.IHtmlDocument> RenderAsSignedIn(string role) =>
        Render(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "someone@example.com"), new Claim(ClaimTypes.Role, role)], "test", ClaimTypes.Name, ClaimTypes.Role)));

    private static Task<AngleSharp.Html.Dom.IHtmlDocument> Render(ClaimsPrincipal user) =>
        ComponentRenderer.RenderAsync<NavMenu>(new Dictionary<string, object?>(), services =>
        {
            services.AddAuthorizationCore();
            services.AddSingleton<AuthenticationStateProvider>(new FixedAuthState(user));
            services.AddCascadingAuthenticationState();
            services.AddAntiforgery();
        });

    private sealed class FixedAuthState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
