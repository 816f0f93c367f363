using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Portal.EndToEnd;

public sealed class ShellTests(PortalServer portal, Browser browser) : IClassFixture<PortalServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task AdminSignsInSeesTheShellAndActivityFromElsewhereArrivesWithoutAReload()
    {
        var page = await browser.Instance.NewPageAsync();
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync(portal.BaseUrl + "/");
        await page.WaitForURLAsync("**/account/login**");
        await page.GetByLabel("Email").FillAsync(PortalServer.AdminEmail);
        await page.GetByLabel("Password").FillAsync(PortalServer.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync(portal.BaseUrl + "/");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(Regex.Escape(PortalServer.AdminEmail), RegexOptions.IgnoreCase) })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.Locator("#recent-activity .activity-row").First).ToContainTextAsync("user.login");

        // Mark this page: if the update reloaded the page, the mark would be gone.
        await page.EvaluateAsync("window.__stillTheSamePage = true");

        // Something happens elsewhere: another session fails to sign in.
        var other = await browser.Instance.NewPageAsync();
        await other.GotoAsync(portal.BaseUrl + "/account/login");
        await other.GetByLabel("Email").FillAsync(PortalServer.AdminEmail);
        await other.GetByLabel("Password").FillAsync("wrong password");
        await other.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(other.Locator("#login-error")).ToBeVisibleAsync();

        await Assertions.Expect(page.Locator("#recent-activity .activity-row").First).ToContainTextAsync("user.login-failed");
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"));
    }
}
