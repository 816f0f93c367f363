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

public sealed class CatalogueFlowTests(PortalServer portal, Browser browser, CatalogueLab lab)
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
        var context = await browser.Instance.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await SignInAsync(page);

        await page.GotoAsync(portal.BaseUrl + "/machines");
        await Assertions.Expect(page.Locator("#machines tbody tr")).ToHaveCountAsync(lab.Fleet.Systems.Count());
        // Filter with the form's selects: htmx swaps the results in and pushes the form's URL.
        await page.SelectOptionAsync("#f-cores", "64");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]cores=64(&|$)"));
        await Assertions.Expect(page.Locator("#f-cores")).ToHaveValueAsync("64");
        await page.SelectOptionAsync("#f-gpus", "1");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]cores=64&.*gpus=1(&|$)"));
        var rows = page.Locator("#machines tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(expected.Count);
        foreach (var cores in await page.Locator("#machines td[data-col=cores]").AllInnerTextsAsync())
            Assert.True(int.Parse(cores) >= 64, $"{cores} cores shown under the ≥ 64 filter");
        foreach (var gpus in await page.Locator("#machines td[data-col=gpus]").AllInnerTextsAsync())
            Assert.Contains("×", gpus);

        // Pick the first two and reserve them: the result is "My machines".
        var names = (await page.Locator("#machines tbody tr .machine-name").AllInnerTextsAsync()).Take(2).ToList();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add((await rows.Nth(i).GetAttributeAsync("data-machine-id"))!);
            await rows.Nth(i).Locator("input[name=pick]").CheckAsync();
        }
        await page.ClickAsync("#reserve-selected");
        await page.WaitForURLAsync("**/machines/mine**");
        var mine = page.Locator("#my-machines tbody tr");
        await Assertions.Expect(mine).ToHaveCountAsync(2);
        Assert.Equal(names.Order(), (await page.Locator("#my-machines .machine-name").AllInnerTextsAsync()).Order());
        var powerOfFirst = page.Locator($"#my-machines tr[data-machine-id='{ids[0]}'] [data-power]");
        await Assertions.Expect(powerOfFirst).ToHaveAttributeAsync("data-power", "Off");

        // This page stays open and marked; the power request is made from a second tab. The new
        // state can only reach this page through the hub (machine changed → fragment re-fetch).
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await page.EvaluateAsync("window.__stillTheSamePage = true");
        var detail = await context.NewPageAsync();
        detail.SetDefaultTimeout(30_000);
        await detail.GotoAsync($"{portal.BaseUrl}/machines/{ids[0]}");
        await detail.ClickAsync("#power [data-power-action=On]");

        await Assertions.Expect(powerOfFirst).ToHaveAttributeAsync("data-power", "On");
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"), "My machines reloaded instead of updating live");
        await Assertions.Expect(detail.Locator("#power-state [data-power]")).ToHaveAttributeAsync("data-power", "On");
        // ...and it really is on in the lab.
        var uuid = await UuidOfAsync(long.Parse(ids[0]));
        Assert.Equal(LabPowerState.On, lab.Fleet.Systems.Single(s => s.Facts.Uuid == uuid).PowerState);

        // Release both; they go back to the catalogue.
        foreach (var id in ids)
        {
            await page.ClickAsync($"#my-machines [data-release='{id}']");
            await page.WaitForURLAsync("**/machines/mine**");
        }
        await Assertions.Expect(page.Locator("#my-machines-empty")).ToBeVisibleAsync();
        await page.GotoAsync(portal.BaseUrl + "/machines?cores=64&gpus=1");
        await Assertions.Expect(rows).ToHaveCountAsync(expected.Count);
        await Assertions.Expect(page.Locator("#machines input[name=pick]")).ToHaveCountAsync(expected.Count);
    }

    private async Task<Guid?> UuidOfAsync(long machineId)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.FindAsync(machineId))!.Uuid;
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(portal.BaseUrl + "/account/login");
        await page.FillAsync("#email", CatalogueLab.UserEmail);
        await page.FillAsync("#password", CatalogueLab.UserPassword);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync(portal.BaseUrl + "/");
    }

    private static string Describe(LabFleet fleet)
    {
        var text = new StringBuilder("Fewer than two lab systems with ≥ 64 cores and a GPU this run (see CatalogueLab); the fleet was:\n");
        foreach (var s in fleet.Systems) text.AppendLine($"  {s.Bmc.Profile.Name} {s.Id}: {s.Facts.TotalCores} cores, {s.Facts.Gpus.Count} GPUs");
        return text.ToString();
    }
}
