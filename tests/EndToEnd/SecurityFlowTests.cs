using Microsoft.Playwright;

namespace Portal.EndToEnd;

/// <summary>
/// The web hardening seen from a real browser: under the Content-Security-Policy every page loads,
/// opens its circuit and goes live with nothing blocked (Chromium reports each refusal on the console),
/// and a credential list over the size limit is refused on the page with the limit — no connection reset.
/// </summary>
public sealed class SecurityFlowTests(PortalServer portal, Browser browser) : IClassFixture<PortalServer>, IClassFixture<Browser>
{
    private static readonly string[] Pages =
    [
        "/", "/machines", "/machines/mine", "/deployments", "/admin/discovery", "/admin/credentials", "/admin/os-profiles",
        "/admin/os-profiles/new", "/admin/templates", "/admin/sightings", "/admin/users", "/admin/audit", "/account/profile",
    ];

    [Fact]
    public async Task EveryPageWorksUnderTheContentSecurityPolicyWithNothingBlocked()
    {
        var page = await browser.Instance.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                problems.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => problems.Add($"{page.Url}: {error}");

        await SignIn.AsAdminAsync(page, portal);
        foreach (var url in Pages)
        {
            await page.GotoAsync(portal.BaseUrl + url);
            // Live means blazor.web.js ran, the circuit's WebSocket opened and the page subscribed.
            await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 30_000 });
        }
        // A popover (inline styles, MudBlazor's script): the user menu opens.
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new(PortalServer.AdminEmail) }).ClickAsync();
        await Assertions.Expect(page.GetByText("Profile & API tokens")).ToBeVisibleAsync();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task ACredentialListOverTheLimitIsRefusedOnThePageWithTheLimit()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("portal-e2e-huge-").FullName, "huge.csv");
        await File.WriteAllBytesAsync(file, new byte[6 * 1024 * 1024]);
        var page = await browser.Instance.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await SignIn.AsAdminAsync(page, portal);
        await page.GotoAsync(portal.BaseUrl + "/admin/credentials");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Choose a file to preview" })).ToBeVisibleAsync();

        var error = page.Locator("#upload-error");
        await FilePicker.ChooseAsync(page, file, error);

        await Assertions.Expect(error).ToContainTextAsync("The file is larger than the limit of 5,242,880 bytes (5 MB)");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live"); // the circuit survived
        Directory.Delete(Path.GetDirectoryName(file)!, true);
    }
}
