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
        var page = await browser.Instance.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(60_000); // discovery of 8 BMCs on a busy 2-core machine
        await SignInAsync(page);

        // The vendor credential list: upload, preview every row, import.
        await page.GotoAsync(portal.BaseUrl + "/admin/credentials");
        await page.SetInputFilesAsync("#credential-file", lab.Fleet.CredentialCsvPath);
        await page.ClickAsync("#upload");
        await Assertions.Expect(page.Locator("#preview tbody tr")).ToHaveCountAsync(lab.Fleet.Bmcs.Count);
        await page.ClickAsync("#import");
        await Assertions.Expect(page.Locator("#import-success")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#credential-count")).ToHaveTextAsync(lab.Fleet.Bmcs.Count.ToString());

        // The lab's DHCP lease file as a discovery source.
        await page.GotoAsync(portal.BaseUrl + "/admin/discovery");
        await page.SelectOptionAsync("#source-kind", "DnsmasqLeases");
        await page.FillAsync("#source-value", lab.Fleet.LeaseFilePath);
        await page.FillAsync("#source-port", lab.Fleet.Port.ToString());
        await page.ClickAsync("#add-source-button");
        await Assertions.Expect(page.Locator("#sources tbody tr[data-source-id]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");

        // Discover now; the progress bar and the BMC list update live, without reloading.
        await page.EvaluateAsync("window.__stillTheSamePage = true");
        await page.ClickAsync("#discover-now");
        await Assertions.Expect(page.Locator("#discovery-bar")).ToHaveAttributeAsync("data-finished", "true");
        await Assertions.Expect(page.Locator("#discovery-counts [data-count=inventoried]")).ToHaveTextAsync($"{lab.Fleet.Bmcs.Count} inventoried");
        await Assertions.Expect(page.Locator("#bmc-table tr[data-status=Reachable]")).ToHaveCountAsync(lab.Fleet.Bmcs.Count);
        var machines = await page.Locator("#bmc-table td[data-machines]").AllInnerTextsAsync();
        Assert.Equal(lab.Fleet.Systems.Count(), machines.Sum(int.Parse));
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"));
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(portal.BaseUrl + "/account/login");
        await page.FillAsync("#email", PortalServer.AdminEmail);
        await page.FillAsync("#password", PortalServer.AdminPassword);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync(portal.BaseUrl + "/");
    }
}
