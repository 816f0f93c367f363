using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Admin;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Admin;

public sealed class UsersPageTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    /// <summary>Invites a user through the page and returns the one-time password it showed.</summary>
    internal static string Invite(IRenderedComponent<UsersPage> page, string email, string name, string role)
    {
        Fresh.Dispatch(() => page.WaitForElement("#new-email", TimeSpan.FromSeconds(15)).Change(email));
        Fresh.Dispatch(() => page.Find("#new-name").Change(name));
        var select = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Role");
        page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(role)).Wait();
        Fresh.Dispatch(() => page.Find("form").Submit());
        return page.WaitForElement("#invite-secret", TimeSpan.FromSeconds(10)).TextContent;
    }

    private async Task<IRenderedComponent<UsersPage>> OpenAsAdminAsync()
    {
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<UsersPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll($"tr[data-user='{PortalFactory.AdminEmail}']")), TimeSpan.FromSeconds(15));
        return page;
    }

    private static void Tick(IRenderedComponent<UsersPage> page, string email, string role) =>
        page.WaitForAssertion(() => page.Find($"tr[data-user='{email}'] [data-role='{role}'] input[type=checkbox], tr[data-user='{email}'] input[type=checkbox][data-role='{role}']").Change(true));

    /// <summary>
    /// Clicks a row's button once it is there (it appears when a checkbox changes). The page reloads
    /// live on every audited change, so a click that lands on a replaced render is tried again.
    /// </summary>
    private static void Click(IRenderedComponent<UsersPage> page, string email, string text) =>
        page.WaitForAssertion(() => page.Find($"tr[data-user='{email}']").QuerySelectorAll("button").First(b => b.TextContent.Contains(text)).Click());

    [Fact]
    public async Task InvitingAUserShowsTheOneTimePasswordOnceAndAuditsIt()
    {
        var page = await OpenAsAdminAsync();

        var password = Invite(page, "once@test.local", "Once", Roles.Operator);

        Assert.StartsWith("Inv-", password);
        page.WaitForAssertion(() => Assert.Contains("invited", page.Find("tr[data-user='once@test.local']").TextContent));
        Assert.Equal([Roles.Operator], await Portal.RolesOfAsync("once@test.local"));
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.created" && e.Summary == $"Invited once@test.local as {Roles.Operator}")));
        var again = Render<UsersPage>();
        again.WaitForAssertion(() => Assert.NotEmpty(again.FindAll("tr[data-user='once@test.local']")));
        Assert.DoesNotContain(password, again.Markup);
    }

    [Fact]
    public async Task AnInvalidEmailIsShownNextToTheFieldAndNobodyIsCreated()
    {
        var page = await OpenAsAdminAsync();
        Fresh.Dispatch(() => page.Find("#new-email").Change("not-an-email"));
        Fresh.Dispatch(() => page.Find("form").Submit());

        page.WaitForAssertion(() => Assert.Contains("valid e-mail", page.Markup));
        Assert.Empty(page.FindAll("#invite-secret"));
        Assert.False(await Portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "not-an-email")));
    }

    [Fact]
    public async Task RolesChangedOnThePageAreSavedAndAudited()
    {
        await Portal.CreateUserAsync("roles@test.local", "Roles-Passw0rd", Roles.User);
        var page = await OpenAsAdminAsync();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("tr[data-user='roles@test.local']")));

        Tick(page, "roles@test.local", Roles.Operator);
        Fresh.Dispatch(() => page.Find("tr[data-user='roles@test.local']").QuerySelectorAll("button").Single(b => b.TextContent.Contains("Save roles")).Click());

        page.WaitForAssertion(() => Assert.Contains("Roles of roles@test.local updated.", Snackbars));
        Assert.Equal([Roles.Operator, Roles.User], (await Portal.RolesOfAsync("roles@test.local")).Order());
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.role-added" && e.Summary == "roles@test.local is now Operator")));
    }

    [Fact]
    public async Task ANonAdminsRoleChangeIsRefusedOnTheServer()
    {
        await Portal.CreateUserAsync("demoted@test.local", "Demoted-Passw0rd", Roles.User);
        var page = await OpenAsAdminAsync();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("tr[data-user='demoted@test.local']")));
        Tick(page, "demoted@test.local", Roles.Admin);

        // The page is open, but the person lost the Admin role since (or forged the click): the server asks again.
        await SignInAsync("demoted@test.local", Roles.User);
        Fresh.Dispatch(() => page.Find("tr[data-user='demoted@test.local']").QuerySelectorAll("button").Single(b => b.TextContent.Contains("Save roles")).Click());

        page.WaitForAssertion(() => Assert.Contains("This needs the Admin role.", Snackbars));
        Assert.Equal([Roles.User], await Portal.RolesOfAsync("demoted@test.local"));
    }

    [Fact]
    public async Task AnAdminCannotRemoveTheirOwnAdminRole()
    {
        var page = await OpenAsAdminAsync();
        Fresh.Dispatch(() => page.Find($"tr[data-user='{PortalFactory.AdminEmail}'] input[type=checkbox][data-role='{Roles.Admin}'], tr[data-user='{PortalFactory.AdminEmail}'] [data-role='{Roles.Admin}'] input[type=checkbox]").Change(false));
        Click(page, PortalFactory.AdminEmail, "Save roles");

        page.WaitForAssertion(() => Assert.Contains("You cannot remove your own Admin role.", Snackbars));
        Assert.Contains(Roles.Admin, await Portal.RolesOfAsync(PortalFactory.AdminEmail));
    }

    [Fact]
    public async Task ALockedOutUserIsUnlocked()
    {
        var locked = await Portal.CreateUserAsync("unlock-me@test.local", "Unlock-Passw0rd", Roles.User);
        using (var scope = Portal.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByIdAsync(locked.Id))!, DateTimeOffset.UtcNow.AddMinutes(5));
        }
        var page = await OpenAsAdminAsync();
        page.WaitForAssertion(() => Assert.Contains("locked", page.Find("tr[data-user='unlock-me@test.local']").TextContent));

        Fresh.Dispatch(() => page.Find("tr[data-user='unlock-me@test.local']").QuerySelectorAll("button").Single(b => b.TextContent.Contains("Unlock")).Click());

        page.WaitForAssertion(() => Assert.Contains("active", page.Find("tr[data-user='unlock-me@test.local']").TextContent));
        Assert.Null(await Portal.WithDbAsync(db => db.Users.Where(u => u.Id == locked.Id).Select(u => u.LockoutEnd).SingleAsync()));
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.unlocked" && e.TargetId == locked.Id)));
    }

    [Fact]
    public async Task AnAdminDisablesAUserAfterConfirmingAndEnablesThemAgain()
    {
        var leaver = await Portal.CreateUserAsync("disable-me@test.local", "Disable-Passw0rd", Roles.User);
        var page = await OpenAsAdminAsync();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("tr[data-user='disable-me@test.local']")));
        Assert.DoesNotContain(page.Find($"tr[data-user='{PortalFactory.AdminEmail}']").QuerySelectorAll("button"), b => b.TextContent.Contains("Disable"));

        Click(page, "disable-me@test.local", "Disable");
        Overlays.WaitForAssertion(() => Assert.Contains("Disable account?", Overlays.Markup));
        Fresh.Dispatch(() => Overlays.FindAll("button").Single(b => b.TextContent.Trim() == "Disable").Click());

        page.WaitForAssertion(() => Assert.Contains("disabled", page.Find("tr[data-user='disable-me@test.local']").TextContent));
        Assert.True(await Portal.WithDbAsync(db => db.Users.Where(u => u.Id == leaver.Id).Select(u => u.DisabledAt != null).SingleAsync()));
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.disabled" && e.TargetId == leaver.Id)));

        Click(page, "disable-me@test.local", "Enable");
        page.WaitForAssertion(() => Assert.Contains("active", page.Find("tr[data-user='disable-me@test.local']").TextContent));
        Assert.False(await Portal.WithDbAsync(db => db.Users.Where(u => u.Id == leaver.Id).Select(u => u.DisabledAt != null).SingleAsync()));
    }
}
