using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Admin;
using Portal.Core.Auditing;
using Portal.Core.Users;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

/// <summary>
/// Taking access away, and what a stranger must not be able to take away: a lockout stops password
/// sign-in only, roles and disabling stop pages and the API. Each test signs in from an address of its
/// own, so the failure limit per address (AuthFailureLimitTests) is not what answers.
/// </summary>
public sealed class AccessRevocationTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string Password = "Revoke-Passw0rd";

    [Fact]
    public async Task WrongPasswordsLockPasswordSignInButNotTheOwnersApiTokens()
    {
        await factory.CreateUserAsync("automation@test.local", Password, Roles.User);
        var token = await factory.CreateTokenAsync("automation@test.local", "nightly");

        var stranger = factory.BrowserFrom("10.61.0.1");
        for (var i = 0; i < 5; i++) await stranger.LoginAsync("automation@test.local", "guess-" + i);

        var login = await factory.BrowserFrom("10.61.0.2").LoginAsync("automation@test.local", Password);
        Assert.Contains("locked", BrowserSession.Parse(await login.Content.ReadAsStringAsync()).QuerySelector("#login-error")!.TextContent);
        Assert.Equal(HttpStatusCode.OK, (await factory.Api(token).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task AUserWithEveryRoleRemovedCanUseNeitherPagesNorTheApi()
    {
        var user = await factory.CreateUserAsync("roleless@test.local", Password, Roles.User);
        var token = await factory.CreateTokenAsync("roleless@test.local", "roleless");
        Assert.Equal(HttpStatusCode.OK, (await factory.Api(token).GetAsync("/api/v1/me")).StatusCode);

        Assert.True((await AdministerAsync(a => a.SetRolesAsync(user.Id, [], AdminActor()))).Succeeded);

        Assert.Equal(HttpStatusCode.Forbidden, (await factory.Api(token).GetAsync("/api/v1/me")).StatusCode);
        var browser = factory.BrowserFrom("10.61.1.1");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.LoginAsync("roleless@test.local", Password)).StatusCode);
        foreach (var page in new[] { "/", "/machines", "/account/profile" })
        {
            var response = await browser.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/account/access-denied", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        }
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/access-denied")).StatusCode); // and no redirect loop
    }

    [Fact]
    public async Task AnAdminDisablesAndEnablesAUserThroughTheApiAndNobodyElseCan()
    {
        var admin = await factory.CreateUserAsync("api-admin@test.local", Password, Roles.Admin);
        var adminApi = factory.Api(await factory.CreateTokenAsync("api-admin@test.local", "users"));
        var user = await factory.CreateUserAsync("contractor@test.local", Password, Roles.Operator);
        var userApi = factory.Api(await factory.CreateTokenAsync("contractor@test.local", "contractor"));

        Assert.Equal(HttpStatusCode.Forbidden, (await userApi.GetAsync("/api/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await userApi.PostAsync($"/api/v1/users/{admin.Id}/disable", null)).StatusCode);

        var disabled = await adminApi.PostAsync($"/api/v1/users/{user.Id}/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await userApi.GetAsync("/api/v1/me")).StatusCode);
        var listed = await adminApi.GetFromJsonAsync<List<UserApi.UserResponse>>("/api/v1/users");
        Assert.NotNull(Assert.Single(listed!, u => u.Id == user.Id).DisabledAt);
        Assert.Equal([Roles.Operator], listed!.Single(u => u.Id == user.Id).Roles);

        var self = await adminApi.PostAsync($"/api/v1/users/{admin.Id}/disable", null);
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        Assert.Contains("cannot disable your own account", await self.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await adminApi.PostAsync("/api/v1/users/no-such-user/enable", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await adminApi.PostAsync($"/api/v1/users/{user.Id}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await userApi.GetAsync("/api/v1/me")).StatusCode);
        Assert.True(await factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.enabled" && e.TargetId == user.Id && e.ActorName == "api-admin@test.local")));
    }

    [Fact]
    public async Task ADisabledUserCannotSignInTheirTokensStopAtOnceAndTheirSessionFailsItsNextCheck()
    {
        var user = await factory.CreateUserAsync("leaver@test.local", Password, Roles.Operator);
        var token = await factory.CreateTokenAsync("leaver@test.local", "leaver");
        var principal = await PrincipalOfAsync(user.Id);

        Assert.True((await AdministerAsync(a => a.DisableAsync(user.Id, AdminActor()))).Succeeded);

        var api = await factory.Api(token).GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        var login = await factory.BrowserFrom("10.61.2.1").LoginAsync("leaver@test.local", Password);
        Assert.Equal("This account is disabled. Ask an administrator.",
            BrowserSession.Parse(await login.Content.ReadAsStringAsync()).QuerySelector("#login-error")!.TextContent);
        // The check every cookie gets once a minute (SecurityStampValidator) now refuses the session.
        Assert.Null(await ValidateSessionAsync(principal));
        Assert.True(await factory.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.disabled" && e.TargetId == user.Id)));

        Assert.True((await AdministerAsync(a => a.EnableAsync(user.Id, AdminActor()))).Succeeded);
        Assert.Equal(HttpStatusCode.OK, (await factory.Api(token).GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await factory.BrowserFrom("10.61.2.2").LoginAsync("leaver@test.local", Password)).StatusCode);
    }

    [Fact]
    public async Task AnAdminCannotDisableTheirOwnAccount()
    {
        var adminId = await factory.UserIdAsync();
        var outcome = await AdministerAsync(a => a.DisableAsync(adminId, AdminActor(adminId)));
        Assert.False(outcome.Succeeded);
        Assert.Equal("You cannot disable your own account.", outcome.Message);
    }

    private Actor AdminActor(string? id = null) => new(id ?? "admin-id", PortalFactory.AdminEmail, "127.0.0.1");

    private async Task<Portal.Core.Reservations.Outcome> AdministerAsync(Func<UserAdministration, Task<Portal.Core.Reservations.Outcome>> work)
    {
        using var scope = factory.Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<UserAdministration>());
    }

    private async Task<ClaimsPrincipal> PrincipalOfAsync(string userId)
    {
        using var scope = factory.Services.CreateScope();
        var user = (await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByIdAsync(userId))!;
        return await scope.ServiceProvider.GetRequiredService<SignInManager<AppUser>>().CreateUserPrincipalAsync(user);
    }

    private async Task<AppUser?> ValidateSessionAsync(ClaimsPrincipal principal)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<SignInManager<AppUser>>().ValidateSecurityStampAsync(principal);
    }
}
