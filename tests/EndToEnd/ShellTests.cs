using Microsoft.Playwright;

namespace Portal.EndToEnd;

public sealed class ShellTests(PortalServer portal, Browser browser) : IClassFixture<PortalServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task AdminSignsInSeesTheShellAndAFragmentUpdatePushedThroughTheHub()
    {
        var page = await browser.Instance.NewPageAsync();
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync(portal.BaseUrl + "/");
        await page.WaitForURLAsync("**/account/login**");
        await page.FillAsync("#email", PortalServer.AdminEmail);
        await page.FillAsync("#password", PortalServer.AdminPassword);
        await page.ClickAsync("#sign-in");

        await page.WaitForURLAsync(portal.BaseUrl + "/");
        await Assertions.Expect(page.Locator("#current-user")).ToHaveTextAsync(PortalServer.AdminEmail);
        await Assertions.Expect(page.Locator("[data-nav=admin-users]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.Locator("#recent-activity li").First).ToContainTextAsync("user.login");

        // Mark this page: if the fragment update reloaded the page, the mark would be gone.
        await page.EvaluateAsync("window.__stillTheSamePage = true");

        // Something happens elsewhere: another session signs in (and fails once).
        var other = await browser.Instance.NewPageAsync();
        await other.GotoAsync(portal.BaseUrl + "/account/login");
        await other.FillAsync("#email", PortalServer.AdminEmail);
        await other.FillAsync("#password", "wrong password");
        await other.ClickAsync("#sign-in");
        await Assertions.Expect(other.Locator("#login-error")).ToBeVisibleAsync();

        await Assertions.Expect(page.Locator("#recent-activity li").First).ToContainTextAsync("user.login-failed");
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"));
    }
}
