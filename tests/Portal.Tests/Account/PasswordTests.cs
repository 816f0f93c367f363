using System.Net;
using Portal.Admin;
using Portal.Core.Users;
using Portal.Tests.Admin;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

public sealed class PasswordTests(PortalFactory factory) : ComponentTest(factory), IClassFixture<PortalFactory>
{
    [Fact]
    public async Task InvitedUserMustChangeTheOneTimePasswordBeforeAnythingElse()
    {
        // The invitation is made on the (interactive) users page; signing in and changing the password are static pages.
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var users = RenderInteractive<UsersPage>();
        var oneTime = UsersPageTests.Invite(users, "invited@test.local", "Invited", Roles.Operator);

        var invited = Portal.Browser();
        var login = await invited.LoginAsync("invited@test.local", oneTime);
        Assert.Equal("/account/change-password", Path(login));
        var home = await invited.GetAsync("/");
        Assert.Equal("/account/change-password", Path(home));

        var changed = await invited.SubmitAsync("/account/change-password", "form:has(#current)", new Dictionary<string, string>
        {
            ["Input.Current"] = oneTime, ["Input.New"] = "My-Own-Passw0rd", ["Input.Confirm"] = "My-Own-Passw0rd",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await invited.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Portal.Browser().LoginAsync("invited@test.local", "My-Own-Passw0rd")).StatusCode);
    }

    [Fact]
    public async Task ChangePasswordRefusesAWrongCurrentPassword()
    {
        await Portal.CreateUserAsync("cp@test.local", "Current-Passw0rd", Roles.User);
        var client = await Portal.SignedInAsync("cp@test.local", "Current-Passw0rd");
        var response = await client.SubmitAsync("/account/change-password", "form:has(#current)", new Dictionary<string, string>
        {
            ["Input.Current"] = "not-current", ["Input.New"] = "Another-Passw0rd", ["Input.Confirm"] = "Another-Passw0rd",
        });
        var page = BrowserSession.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotNull(page.QuerySelector("#password-errors"));
        Assert.Equal(HttpStatusCode.Redirect, (await Portal.Browser().LoginAsync("cp@test.local", "Current-Passw0rd")).StatusCode);
    }

    private static string Path(HttpResponseMessage redirect) => new Uri(new Uri("http://localhost"), redirect.Headers.Location!).AbsolutePath;
}
