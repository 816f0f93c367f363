using Microsoft.Playwright;
using Portal.Lab;

namespace Portal.EndToEnd;

public sealed class DiscoveryLab : IAsyncLifetime
{
    public LabFleet Fleet { get; private set; } = default!;
    private readonly string directory = Directory.CreateTempSubdirectory("portal-e2e-lab-").FullName;

    public async Task InitializeAsync() =>
        Fleet = await LabFleet.StartAsync(new LabOptions { BmcCount = 8, FirstAddress = "127.0.100.1", OutputDirectory = directory, Seed = 11 });

    public async Task DisposeAsync()
    {
        await Fleet.DisposeAsync();
        Directory.Delete(directory, true);
    }
}

public sealed class DiscoveryFlowTests(PortalServer portal, Browser browser, DiscoveryLab lab)
    : IClassFixture<PortalServer>, IClassFixture<Browser>, IClassFixture<DiscoveryLab>
{
    [Fact]
    public async Task AdminUploadsTheVendorListRunsDiscoveryAndSeesTheMachines()
    {
        var page = await browser.Instance.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(60_000); // discovery of 8 BMCs on a busy 2-core machine
        await SignInAsync(page);

        // The vendor credential list: choose the file, see every row's verdict, import.
        await page.GotoAsync(portal.BaseUrl + "/admin/credentials");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Choose a file to preview" })).ToBeVisibleAsync();
        var preview = page.GetByRole(AriaRole.Table).Filter(new() { Has = page.GetByRole(AriaRole.Columnheader, new() { Name = "Verdict" }) });
        await FilePicker.ChooseAsync(page, lab.Fleet.CredentialCsvPath, preview);
        await Assertions.Expect(preview.GetByRole(AriaRole.Row)).ToHaveCountAsync(lab.Fleet.Bmcs.Count + 1);
        await Assertions.Expect(preview.GetByText("Ok", new() { Exact = true })).ToHaveCountAsync(lab.Fleet.Bmcs.Count);
        foreach (var bmc in lab.Fleet.Bmcs)
            Assert.DoesNotContain(bmc.Password, await page.ContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = $"Import {lab.Fleet.Bmcs.Count} entries" }).ClickAsync();
        await Assertions.Expect(page.GetByText($"Imported {lab.Fleet.Bmcs.Count} new entries")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Verdict" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#credential-count")).ToHaveTextAsync(lab.Fleet.Bmcs.Count.ToString());
        await page.ScreenshotAsync(new() { Path = Shot("credentials-imported"), FullPage = true });

        // The lab's DHCP lease file as a discovery source. Reached through the menu: the same circuit.
        await page.GetByRole(AriaRole.Link, new() { Name = "Discovery" }).ClickAsync();
        await page.GetByLabel("Path, range or address").FillAsync(lab.Fleet.LeaseFilePath);
        await page.GetByLabel("Port").FillAsync(lab.Fleet.Port.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Add source" }).ClickAsync();
        await Assertions.Expect(page.Locator("#sources tbody tr[data-source-id]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");

        // Discover now; the progress bar and the BMC list update live, without reloading.
        await page.EvaluateAsync("window.__stillTheSamePage = true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Discover now" }).ClickAsync();
        var bar = page.GetByRole(AriaRole.Progressbar, new() { Name = "Discovery progress" });
        await Assertions.Expect(bar).ToHaveAttributeAsync("aria-valuenow", "100");
        await Assertions.Expect(page.Locator("#discovery-progress")).ToHaveAttributeAsync("data-finished", "true");
        await Assertions.Expect(page.GetByText($"{lab.Fleet.Bmcs.Count} inventoried")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#bmc-table tr[data-status=Reachable]")).ToHaveCountAsync(lab.Fleet.Bmcs.Count);
        var machines = await page.Locator("#bmc-table td[data-machines]").AllInnerTextsAsync();
        Assert.Equal(lab.Fleet.Systems.Count(), machines.Sum(int.Parse));
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"));

        // Nothing scrolls sideways at 1280 px.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await page.ScreenshotAsync(new() { Path = Shot("discovery-finished"), FullPage = true });
    }

    private static string Shot(string name) => Path.Combine(Path.GetTempPath(), $"portal-e2e-{name}.png");

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(portal.BaseUrl + "/account/login");
        await page.GetByLabel("Email").FillAsync(PortalServer.AdminEmail);
        await page.GetByLabel("Password").FillAsync(PortalServer.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(portal.BaseUrl + "/");
    }
}
