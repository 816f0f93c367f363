using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Users;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

/// <summary>A Portal whose first admin password comes from the environment, as docker compose gives it.</summary>
public sealed class ConfiguredAdminPortal : PortalFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Portal:AdminMustChangePassword", "true"); // the default outside tests
    }
}

/// <summary>A first run without a configured password: the Portal generates one into {data}/initial-admin.txt.</summary>
public sealed class GeneratedAdminPortal : PortalFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Portal:AdminPassword", "");
    }
}

/// <summary>A password someone else set (environment, generated) is changed before anything else — pages, profile, tokens, API.</summary>
public sealed class ConfiguredAdminPasswordTests(ConfiguredAdminPortal portal) : IClassFixture<ConfiguredAdminPortal>
{
    [Fact]
    public async Task AnEnvironmentGivenAdminPasswordMustBeChangedBeforeAnyPageTheProfileOrTheApi()
    {
        var browser = portal.Browser();
        var login = await browser.LoginAsync(PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Equal("/account/change-password", PathOf(login));
        foreach (var page in new[] { "/", "/account/profile", "/admin/users" })
            Assert.Equal("/account/change-password", PathOf(await browser.GetAsync(page)));

        // No token is made for someone who has not chosen their password, and one made before does not work.
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => portal.CreateTokenAsync(PortalFactory.AdminEmail, "too-early"));
        Assert.Contains("Change your password before you create an API token.", refused.Message);
        var adminId = await portal.UserIdAsync();
        var (earlier, secret) = ApiToken.Create(adminId, "earlier", DateTimeOffset.UtcNow, null);
        await portal.WithDbAsync(async db => { db.ApiTokens.Add(earlier); return await db.SaveChangesAsync(); });
        Assert.Equal(HttpStatusCode.Forbidden, (await portal.Api(secret).GetAsync("/api/v1/me")).StatusCode);

        var changed = await browser.SubmitAsync("/account/change-password", "form:has(#current)", new Dictionary<string, string>
        {
            ["Input.Current"] = PortalFactory.AdminPassword, ["Input.New"] = "Chosen-Passw0rd!", ["Input.Confirm"] = "Chosen-Passw0rd!",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.Api(secret).GetAsync("/api/v1/me")).StatusCode);
    }

    internal static string PathOf(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect ? new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath : $"({(int)response.StatusCode})";
}

public sealed class GeneratedAdminPasswordTests(GeneratedAdminPortal portal) : IClassFixture<GeneratedAdminPortal>
{
    [Fact]
    public async Task TheInitialAdminFileIsPrivateAndDeletedOnceTheAdminChoseAPassword()
    {
        _ = portal.Server; // start: the first admin is made at start-up
        var file = InitialAdminFile.PathIn(portal.DataDirectory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var lines = (await File.ReadAllLinesAsync(file)).ToDictionary(l => l.Split(": ")[0], l => l.Split(": ")[1]);

        var browser = portal.Browser();
        Assert.Equal("/account/change-password", ConfiguredAdminPasswordTests.PathOf(await browser.LoginAsync(lines["email"], lines["password"])));
        Assert.True(File.Exists(file));
        await browser.SubmitAsync("/account/change-password", "form:has(#current)", new Dictionary<string, string>
        {
            ["Input.Current"] = lines["password"], ["Input.New"] = "Chosen-Passw0rd!", ["Input.Confirm"] = "Chosen-Passw0rd!",
        });

        Assert.False(File.Exists(file));
        Assert.True(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == lines["email"] && !u.MustChangePassword)));
    }
}
