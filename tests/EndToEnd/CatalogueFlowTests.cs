using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Auditing;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Lab;

namespace Portal.EndToEnd;

/// <summary>
/// Lab BMCs on 127.0.120.x (a range no other test uses), discovered into the Portal through the
/// Core services before any browser step, so the catalogue holds real machines whose power
/// requests reach the lab.
/// </summary>
public sealed class CatalogueLab : IAsyncLifetime
{
    public const string UserEmail = "researcher@e2e.local";
    public const string UserPassword = "E2e-User-Passw0rd";

    public LabFleet Fleet { get; private set; } = default!;
    private readonly string directory = Directory.CreateTempSubdirectory("portal-e2e-catalogue-lab-").FullName;

    /// <summary>Lab systems the test's filter must find: at least 64 cores and a GPU.</summary>
    public IReadOnlyList<LabSystem> BigGpuSystems => Fleet.Systems.Where(s => s.Facts.TotalCores >= 64 && s.Facts.Gpus.Count > 0).ToList();

    // The lab's machines are drawn per process (its Random seeds go through HashCode.Combine, which
    // .NET randomises per process), so no Seed pins the hardware. The GPU-heavy gigabyte profile
    // (80% GPU boxes, and a slow Reset that shows PoweringOn first) × 20 BMCs gives about six such
    // machines; fewer than two happens about once in 200 runs, and the test then says so plainly.
    public async Task InitializeAsync() =>
        Fleet = await LabFleet.StartAsync(new LabOptions
        {
            BmcCount = 20, Profiles = ["gigabyte"], FirstAddress = "127.0.120.1", OutputDirectory = directory, Seed = 3,
            SlowResetDelay = TimeSpan.FromSeconds(2),
        });

    /// <summary>Vendor list imported and the lab's lease file discovered, as an admin would, but through Core.</summary>
    public async Task DiscoverIntoAsync(PortalServer portal)
    {
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var import = scope.ServiceProvider.GetRequiredService<CredentialImport>();
            await using var csv = File.OpenRead(Fleet.CredentialCsvPath);
            var preview = await import.PreviewAsync(csv, Path.GetFileName(Fleet.CredentialCsvPath), replace: false);
            var imported = await import.ImportAsync(preview, Path.GetFileName(Fleet.CredentialCsvPath), replace: false, Actor.System);
            Assert.True(imported.Succeeded, "The lab's credential list did not import.");

            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, Fleet.LeaseFilePath, Fleet.Port, true, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();

            // A plain user: no Operator or Admin role, so power control comes from holding the machine.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = new AppUser { UserName = UserEmail, Email = UserEmail, EmailConfirmed = true, DisplayName = "Researcher" };
            var created = await users.CreateAsync(user, UserPassword);
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
            Assert.True((await users.AddToRoleAsync(user, Roles.User)).Succeeded);
        }
        var run = await portal.Services.GetRequiredService<DiscoveryRunner>().RunAsync(Actor.System, default);
        Assert.Equal(Fleet.Bmcs.Count, run.Inventoried);
        Assert.Equal(Fleet.Systems.Count(), run.Machines);
    }

    public async Task DisposeAsync()
    {
        await Fleet.DisposeAsync();
        Directory.Delete(directory, true);
    }
}

public sealed class CatalogueFlowTests(PortalServer portal, Browser browser, CatalogueLab lab, Xunit.Abstractions.ITestOutputHelper output)
    : IClassFixture<PortalServer>, IClassFixture<Browser>, IClassFixture<CatalogueLab>
{
    [Fact]
    public async Task UserFiltersToBigGpuMachinesReservesTwoPowersOneOnLiveAndReleasesThem()
    {
        // The chosen seed must give the filter something to find: at least two such machines.
        var expected = lab.BigGpuSystems;
        Assert.True(expected.Count >= 2, Describe(lab.Fleet));
        await lab.DiscoverIntoAsync(portal);

        Assertions.SetDefaultExpectTimeout(60_000); // 2-core CI machine shared with builds
        var context = await browser.Instance.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        // The browser's own complaints (Blazor logs a dropped event or a circuit error there), for a failure's message.
        var console = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") console.Enqueue($"{m.Type}: {m.Text}"); };
        await SignInAsync(page);

        await page.GotoAsync(portal.BaseUrl + "/machines");
        var names = page.Locator("#machines .machine-name");
        await Assertions.Expect(names).ToHaveCountAsync(lab.Fleet.Systems.Count());
        await AssertTheGridFitsAsync(page);
        // Filter with the facet selects: the grid reloads in place and the address follows.
        await FacetSelect.ChooseAsync(page, "CPU cores", "≥ 64 cores (");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]cores=64(&|$)"));
        await FacetSelect.ChooseAsync(page, "GPUs", "≥ 1 GPU (");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]cores=64&.*gpus=1(&|$)"));
        await Assertions.Expect(names).ToHaveCountAsync(expected.Count);
        foreach (var gpus in await page.Locator("#machines [data-col=gpus]").AllInnerTextsAsync())
            Assert.Contains("×", gpus);
        // The grid fits a 1280 px window: the page itself never scrolls sideways.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "The catalogue scrolls sideways at 1280 px");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-catalogue.png"), FullPage = true });

        // The filtered view is an address: opened afresh, it shows the same machines.
        await page.ReloadAsync();
        await Assertions.Expect(names).ToHaveCountAsync(expected.Count);

        // Pick the first two and reserve them: the result is "My machines".
        var picked = (await names.AllInnerTextsAsync()).Take(2).Select(n => n.Trim()).ToList();
        var ids = new List<string>();
        foreach (var name in picked)
        {
            ids.Add((await page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).GetAttributeAsync("href"))!.Split('/').Last());
            await page.GetByLabel($"Pick {name}", new() { Exact = true }).CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Reserve selected") }).ClickAsync();
        await page.WaitForURLAsync("**/machines/mine");
        var mine = page.Locator("#my-machines .machine-name");
        try { await Assertions.Expect(mine).ToHaveCountAsync(2, new() { Timeout = 15_000 }); }
        finally { await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-mine.png"), FullPage = true }); }
        await Assertions.Expect(mine).ToHaveCountAsync(2);
        Assert.Equal(picked.Order(), (await mine.AllInnerTextsAsync()).Select(n => n.Trim()).Order());
        var powerOfFirst = page.Locator("#my-machines tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = picked[0], Exact = true }) }).Locator("[data-power]");
        await Assertions.Expect(powerOfFirst).ToHaveAttributeAsync("data-power", "Off");

        // This page stays open and marked; the power request is made from a second tab. The new
        // state can only reach this page live (machine changed → the page reloads its data).
        await page.EvaluateAsync("window.__stillTheSamePage = true");
        var detail = await context.NewPageAsync();
        detail.SetDefaultTimeout(30_000);
        await detail.GotoAsync($"{portal.BaseUrl}/machines/{ids[0]}");
        await detail.GetByRole(AriaRole.Button, new() { Name = "Power on" }).ClickAsync();

        await Assertions.Expect(powerOfFirst).ToHaveAttributeAsync("data-power", "On");
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"), "My machines reloaded instead of updating live");
        await Assertions.Expect(detail.Locator("#power-state [data-power]")).ToHaveAttributeAsync("data-power", "On");
        await detail.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-machine.png"), FullPage = true });
        // ...and it really is on in the lab.
        var uuid = await UuidOfAsync(long.Parse(ids[0]));
        Assert.Equal(LabPowerState.On, lab.Fleet.Systems.Single(s => s.Facts.Uuid == uuid).PowerState);

        // Release both, each after confirming; they go back to the catalogue.
        foreach (var name in picked)
        {
            // This machine's own dialog, by its title: the previous one may still be closing (two dialogs in the page).
            var dialog = page.GetByRole(AriaRole.Dialog).Filter(new() { HasText = $"Release {name}?" });
            try
            {
                await page.GetByRole(AriaRole.Button, new() { Name = $"Release {name}", Exact = true }).ClickAsync();
                var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Release", Exact = true });
                await confirm.ClickAsync();
                // In full runs on the 2-core machine the dialog sometimes stayed open after this click (cause not
                // found yet; the browser's console is printed with it). A person clicks again; so does the test, and says so.
                for (var tries = 1; ; tries++)
                {
                    try
                    {
                        await Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 10_000 });
                        break;
                    }
                    catch (PlaywrightException) when (tries < 3)
                    {
                        output.WriteLine($"The Release dialog of {name} was still open 10 s after click {tries}; clicking again. Browser console: [{string.Join(" | ", console)}]");
                        try { await confirm.ClickAsync(new() { Timeout = 5_000 }); } catch (PlaywrightException) { } // it may have closed meanwhile
                    }
                }
                await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToHaveCountAsync(0);

            }
            catch (PlaywrightException e)
            {
                // Seen twice in many runs: say what the page showed, so the next failure tells why.
                var snackbars = await page.Locator(".mud-snackbar").AllInnerTextsAsync();
                await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-release.png"), FullPage = true });
                throw new Xunit.Sdk.XunitException($"Releasing {name} failed: {await page.GetByRole(AriaRole.Dialog).CountAsync()} dialog(s) open " +
                    $"[{string.Join(" | ", await page.GetByRole(AriaRole.Dialog).AllInnerTextsAsync())}], snackbars [{string.Join(" | ", snackbars)}], " +
                    $"still the same page: {await page.EvaluateAsync<bool>("window.__stillTheSamePage === true")}, browser console [{string.Join(" | ", console)}]. {e.Message}");
            }
        }
        await Assertions.Expect(page.Locator("#my-machines-empty")).ToBeVisibleAsync();
        await page.GotoAsync(portal.BaseUrl + "/machines?cores=64&gpus=1");
        await Assertions.Expect(names).ToHaveCountAsync(expected.Count);
        await Assertions.Expect(page.Locator("#machines [data-pick]")).ToHaveCountAsync(expected.Count);
    }

    private async Task<Guid?> UuidOfAsync(long machineId)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.FindAsync(machineId))!.Uuid;
    }

    /// <summary>
    /// At 1280 px (the drawer open) the grid shows its columns whole, every row of the fleet in it:
    /// neither the page nor the grid scrolls sideways, and the columns an operator picks by are on
    /// screen with the pick boxes and the reserve button. (Threads and Power step aside below 1440 px.)
    /// </summary>
    private static async Task AssertTheGridFitsAsync(IPage page)
    {
        var grid = await page.EvaluateAsync<int[]>("() => { const c = document.querySelector('#machines .mud-table-container'); return [c.scrollWidth, c.clientWidth]; }");
        Assert.True(grid[0] <= grid[1], $"The catalogue grid scrolls sideways at 1280 px: {grid[0]} px of columns in {grid[1]} px");
        var onScreen = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('#machines thead th')]
                .filter(th => { const r = th.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth; })
                .map(th => th.innerText.trim())
            """);
        Assert.Superset(new HashSet<string> { "Pick", "Name", "Vendor", "CPU", "Cores", "Memory", "GPUs", "Storage", "NIC", "State" }, onScreen.ToHashSet());
        await Assertions.Expect(page.Locator("#reserve-selected")).ToBeInViewportAsync();
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(portal.BaseUrl + "/account/login");
        await page.GetByLabel("Email").FillAsync(CatalogueLab.UserEmail);
        await page.GetByLabel("Password").FillAsync(CatalogueLab.UserPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(portal.BaseUrl + "/");
    }

    private static string Describe(LabFleet fleet)
    {
        var text = new StringBuilder("Fewer than two lab systems with ≥ 64 cores and a GPU this run (see CatalogueLab); the fleet was:\n");
        foreach (var s in fleet.Systems) text.AppendLine($"  {s.Bmc.Profile.Name} {s.Id}: {s.Facts.TotalCores} cores, {s.Facts.Gpus.Count} GPUs");
        return text.ToString();
    }
}
