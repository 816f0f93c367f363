using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.EndToEnd.Provisioning;
using Portal.Lab;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.EndToEnd;

/// <summary>A Portal started the way `make run` starts it the first time: nobody chose the admin's password.</summary>
public sealed class FirstRunPortal : NetbootingPortal
{
    protected override bool GeneratesAdmin => true;
}

/// <summary>
/// The first hour of a new operator, in one browser tab: an empty database, the printed admin signs
/// in and is made to choose a password, lands on the dashboard, uploads the lab's vendor credential
/// list, runs discovery and watches it finish, filters the catalogue and reserves a machine,
/// provisions it (a VM-backed lab machine that really netboots) and watches the timeline reach
/// Deployed, then releases it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class FirstRunJourneyTests(FirstRunPortal portal, Browser browser, ITestOutputHelper output)
    : IClassFixture<FirstRunPortal>, IClassFixture<Browser>
{
    private const string NewPassword = "My-Own-Passw0rd-2026";

    [QemuFact]
    public async Task ThePrintedAdminGoesFromAnEmptyPortalToADeployedMachineAndBack()
    {
        var labDirectory = Directory.CreateTempSubdirectory("portal-e2e-journey-lab-").FullName;
        await using var lab = await LabFleet.StartAsync(new LabOptions
        {
            BmcCount = 1, Profiles = ["dell"], VmBackedCount = 1, FirstAddress = "127.0.170.1", OutputDirectory = labDirectory, Seed = 5,
            NetbootUrl = $"http://10.0.2.2:{new Uri(portal.BaseUrl).Port}/boot.ipxe",
        });
        var page = await browser.Instance.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(60_000);
        try
        {
            // The printed admin (also written to initial-admin.txt) signs in and must choose a password.
            var (email, password) = PrintedAdmin();
            await page.GotoAsync(portal.BaseUrl + "/");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync("**/account/change-password");
            await page.GetByLabel("Current password").FillAsync(password);
            await page.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
            await page.GetByLabel("Repeat new password").FillAsync(NewPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();

            // The dashboard, not an error page.
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Administrator" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("Password changed.")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#fleet-by-state")).ToContainTextAsync("0 machines");
            await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
            Assert.True(await FitsTheWindowAsync(page));

            // The vendor list: choose the file, preview, import.
            await page.GetByRole(AriaRole.Link, new() { Name = "Credentials" }).ClickAsync();
            var import = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Import 1 entr") });
            await FilePicker.ChooseAsync(page, lab.CredentialCsvPath, import);
            await import.ClickAsync();
            await Assertions.Expect(page.GetByText(new Regex("^Imported 1 new entr"))).ToBeVisibleAsync();

            // Discovery over the lab's DHCP lease file; the progress bar runs to the end.
            await page.GetByRole(AriaRole.Link, new() { Name = "Discovery" }).ClickAsync();
            await page.GetByLabel("Path, range or address").FillAsync(lab.LeaseFilePath);
            await page.GetByLabel("Port").FillAsync(lab.Port.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Add source" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Discover now" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Progressbar, new() { Name = "Discovery progress" })).ToHaveAttributeAsync("aria-valuenow", "100");
            await Assertions.Expect(page.Locator("#discovery-progress")).ToHaveAttributeAsync("data-finished", "true");
            await Assertions.Expect(page.Locator("#bmc-table tr[data-status=Reachable]")).ToHaveCountAsync(1);

            // The catalogue (free machines by default): filter by vendor, pick the machine, reserve it.
            var machine = lab.Bmcs[0].Systems[0];
            await page.GetByRole(AriaRole.Link, new() { Name = "Machines", Exact = true }).ClickAsync();
            await FacetSelect.ChooseAsync(page, "Vendor", "Dell");
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]vendor=Dell"));
            var names = page.Locator("#machines .machine-name");
            await Assertions.Expect(names).ToHaveCountAsync(1);
            var name = (await names.First.InnerTextAsync()).Trim();
            await page.GetByLabel($"Pick {name}", new() { Exact = true }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Reserve selected") }).ClickAsync();
            await page.WaitForURLAsync("**/machines/mine");

            // Provision it from My machines and watch the live timeline reach Deployed.
            await page.GetByRole(AriaRole.Link, new() { Name = "Provision" }).First.ClickAsync();
            await page.WaitForURLAsync("**/deployments/new**");
            await page.GetByRole(AriaRole.Group, new() { Name = "Machines" }).GetByRole(AriaRole.Checkbox).First.CheckAsync();
            await page.GetByLabel("OS profile").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Lab installer" }).ClickAsync();
            await page.GetByLabel("Hostname pattern").FillAsync("first-node.lab");
            await page.GetByRole(AriaRole.Button, new() { Name = "Provision" }).ClickAsync();
            await page.WaitForURLAsync(new Regex(@"/deployments/\d+$"));
            var step = page.Locator("#deployment-step");
            await Assertions.Expect(step).ToHaveAttributeAsync("data-step", "Deployed", new() { Timeout = 150_000 });
            await Assertions.Expect(page.Locator("#deployment-state")).ToHaveAttributeAsync("data-state", "Finished");
            Assert.Equal("Hdd", machine.LastBootSource); // the run restarted it into the installed system

            // Release it, after confirming: the release run powers it off.
            var deployedUrl = page.Url;
            await page.GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
            await page.WaitForURLAsync(url => url != deployedUrl);
            await Assertions.Expect(step).ToHaveAttributeAsync("data-step", "Released");
            await Eventually.TrueAsync(() => machine.PowerState == LabPowerState.Off, "the released machine is powered off in the lab");

            // Back on the dashboard, the machine is free again.
            await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" }).ClickAsync();
            await Assertions.Expect(page.Locator("#fleet-by-state [data-machine-state=Available]")).ToContainTextAsync("1");
            Assert.True(await FitsTheWindowAsync(page));
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-journey-failed.png"), FullPage = true });
            output.WriteLine($"page {page.Url}; screenshot in {Path.GetTempPath()}portal-e2e-journey-failed.png");
            throw;
        }
        finally
        {
            await lab.DisposeAsync();
            Directory.Delete(labDirectory, true);
        }
    }

    private (string Email, string Password) PrintedAdmin()
    {
        var lines = File.ReadAllLines(Path.Combine(portal.DataDirectory, "initial-admin.txt"));
        string Value(string key) => lines.Single(l => l.StartsWith(key + ":")).Split(':', 2)[1].Trim();
        return (Value("email"), Value("password"));
    }

    private static Task<bool> FitsTheWindowAsync(IPage page) =>
        page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth");
}
