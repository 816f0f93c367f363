using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

public sealed class SignInTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task LoginPageIsServedToAnonymousVisitors()
    {
        var page = await factory.Browser().GetPageAsync("/account/login");
        Assert.NotNull(page.QuerySelector("input[name='Input.Email']"));
        Assert.NotNull(page.QuerySelector("input[name=__RequestVerificationToken]"));
    }

    [Fact]
    public async Task PagesRedirectAnonymousVisitorsToLogin()
    {
        var response = await factory.Browser().GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task RightPasswordSignsInAndIsAudited()
    {
        var client = await factory.SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Contains(await AuditActionsAsync(), a => a == "user.login");
    }

    [Fact]
    public async Task WrongPasswordShowsAnErrorAndIsAudited()
    {
        await factory.CreateUserAsync("wrong@test.local", "Right-Passw0rd", Roles.User);
        var response = await factory.Browser().LoginAsync("wrong@test.local", "not-it");
        var page = BrowserSession.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Wrong email or password.", page.QuerySelector("#login-error")!.TextContent);
        Assert.Contains(await AuditActionsAsync(), a => a == "user.login-failed");
    }

    [Fact]
    public async Task FiveWrongPasswordsLockTheAccountEvenAgainstTheRightOne()
    {
        await factory.CreateUserAsync("locked@test.local", "Right-Passw0rd", Roles.User);
        var browser = factory.Browser();
        for (var i = 0; i < 5; i++) await browser.LoginAsync("locked@test.local", "wrong-" + i);

        var response = await browser.LoginAsync("locked@test.local", "Right-Passw0rd");
        var page = BrowserSession.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("locked", page.QuerySelector("#login-error")!.TextContent);
        Assert.Contains(await AuditActionsAsync(), a => a == "user.login-locked-out");
    }

    [Fact]
    public async Task UsersWithoutTheAdminRoleAreSentToAccessDenied()
    {
        await factory.CreateUserAsync("plain@test.local", "Plain-Passw0rd", Roles.User);
        var client = await factory.SignedInAsync("plain@test.local", "Plain-Passw0rd");

        // Role changes and unlocks are circuit actions now, refused on the server: UsersPageTests.ANonAdminsRoleChangeIsRefusedOnTheServer.
        foreach (var url in new[] { "/admin/users", "/admin/audit" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task ForgedPostWithoutAntiforgeryTokenIsRejected()
    {
        var client = await factory.SignedInAsync();
        var login = await factory.Browser().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = PortalFactory.AdminEmail, ["Input.Password"] = PortalFactory.AdminPassword,
        }));
        var logout = await client.PostAsync("/account/logout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, logout.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode); // still signed in
    }

    [Fact]
    public async Task LogoutEndsTheSession()
    {
        var client = await factory.SignedInAsync();
        // The static pages carry a sign-out form too (the interactive menu's needs a browser).
        var response = await client.SubmitAsync("/account/access-denied", "form[action='/account/logout']", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);
    }

    private async Task<List<string>> AuditActionsAsync()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        return await db.AuditEvents.Select(e => e.Action).ToListAsync();
    }
}
