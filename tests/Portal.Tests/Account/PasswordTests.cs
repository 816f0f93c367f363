using System.Net;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

public sealed class PasswordTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task InvitedUserMustChangeTheOneTimePasswordBeforeAnythingElse()
    {
        var admin = await factory.SignedInAsync();
        var created = await admin.SubmitAsync("/admin/users", "form:has(#new-email)", new Dictionary<string, string>
        {
            ["Input.Email"] = "invited@test.local", ["Input.DisplayName"] = "Invited", ["Input.Role"] = Roles.Operator,
        });
        var page = BrowserSession.Parse(await created.Content.ReadAsStringAsync());
        var oneTime = page.QuerySelector("#invite-password")!.TextContent;

        var invited = factory.Browser();
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
        Assert.Equal(HttpStatusCode.Redirect, (await factory.Browser().LoginAsync("invited@test.local", "My-Own-Passw0rd")).StatusCode);
    }

    [Fact]
    public async Task ChangePasswordRefusesAWrongCurrentPassword()
    {
        await factory.CreateUserAsync("cp@test.local", "Current-Passw0rd", Roles.User);
        var client = await factory.SignedInAsync("cp@test.local", "Current-Passw0rd");
        var response = await client.SubmitAsync("/account/change-password", "form:has(#current)", new Dictionary<string, string>
        {
            ["Input.Current"] = "not-current", ["Input.New"] = "Another-Passw0rd", ["Input.Confirm"] = "Another-Passw0rd",
        });
        var page = BrowserSession.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotNull(page.QuerySelector("#password-errors"));
        Assert.Equal(HttpStatusCode.Redirect, (await factory.Browser().LoginAsync("cp@test.local", "Current-Passw0rd")).StatusCode);
    }

    private static string Path(HttpResponseMessage redirect) => new Uri(new Uri("http://localhost"), redirect.Headers.Location!).AbsolutePath;
}
