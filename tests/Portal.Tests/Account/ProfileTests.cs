using System.Net;
using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Account;
using Portal.Core.Users;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

public sealed class ProfileTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    private async Task<IRenderedComponent<Profile>> OpenAsync(string email = PortalFactory.AdminEmail, params string[] roles)
    {
        await SignInAsync(email, roles.Length == 0 ? [Roles.Admin] : roles);
        var page = RenderInteractive<Profile>();
        page.WaitForAssertion(() => Assert.Contains(email, page.Markup), TimeSpan.FromSeconds(15));
        return page;
    }

    private static string CreateToken(IRenderedComponent<Profile> page, string name)
    {
        Fresh.Dispatch(() => page.Find("#token-name").Change(name));
        Fresh.Dispatch(() => page.Find("form").Submit());
        return page.WaitForElement("#new-token-secret", TimeSpan.FromSeconds(10)).TextContent;
    }

    [Fact]
    public async Task ShowsTheSignedInPersonsDetailsAndRoles()
    {
        await Portal.CreateUserAsync("profile@test.local", "Profile-Passw0rd", Roles.Operator);
        var page = await OpenAsync("profile@test.local", Roles.Operator);
        page.WaitForAssertion(() => Assert.Equal(Roles.Operator, page.Find("#my-roles").TextContent));
    }

    [Fact]
    public async Task ACreatedTokenIsShownOnceAndAuthenticatesTheApi()
    {
        var page = await OpenAsync();
        var secret = CreateToken(page, "from-the-page");

        Assert.Equal(HttpStatusCode.OK, (await Portal.Api(secret).GetAsync("/api/v1/me")).StatusCode);
        page.WaitForAssertion(() => Assert.Contains("from-the-page", page.Find("#tokens").TextContent));
        Assert.NotNull(page.Find("#new-token button[aria-label='Copy']"));
        var again = Render<Profile>();
        again.WaitForAssertion(() => Assert.Contains("from-the-page", again.Find("#tokens").TextContent));
        Assert.DoesNotContain(secret, again.Markup);
        Assert.Contains(secret[..11], again.Markup); // the prefix is how people tell tokens apart
    }

    [Fact]
    public async Task ATokenNeedsAName()
    {
        var page = await OpenAsync();
        Fresh.Dispatch(() => page.Find("form").Submit());
        page.WaitForAssertion(() => Assert.Contains("The Name field is required.", page.Markup));
        Assert.Empty(page.FindAll("#new-token-secret"));
    }

    [Fact]
    public async Task RevokingATokenAsksFirstThenItNoLongerAuthenticates()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = await OpenAsync();
        var secret = CreateToken(page, "to-revoke-in-ui");
        var api = Portal.Api(secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);
        var id = await Portal.WithDbAsync(db => db.ApiTokens.Where(t => t.Name == "to-revoke-in-ui").Select(t => t.Id).SingleAsync());

        Fresh.Dispatch(() => page.Find($"tr[data-token-id='{id}'] button").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Revoke token?", dialogs.Markup));
        Fresh.Dispatch(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/me")).StatusCode);

        Fresh.Dispatch(() => page.Find($"tr[data-token-id='{id}'] button").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Revoke token?", dialogs.Markup));
        Fresh.Dispatch(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click());

        page.WaitForAssertion(() => Assert.Contains("revoked", page.Find($"tr[data-token-id='{id}']").TextContent));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/me")).StatusCode);
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "token.revoked" && e.Summary.Contains("to-revoke-in-ui"))));
    }
}
