using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Discovery;
using Portal.Lab;
using Portal.Tests.Credentials;
using Portal.Tests.Support;

namespace Portal.Tests.Discovery;

/// <summary>The discovery page in a circuit (bUnit) against the real Portal services, database and lab BMCs.</summary>
public sealed class DiscoveryPageTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    private Task SignInAsAdminAsync() => SignInAsync(PortalFactory.AdminEmail, Roles.Admin);


    /// <summary>Types into the MudBlazor text field labelled <paramref name="label"/>.</summary>
    private static void Fill<T>(IRenderedComponent<T> page, string label, string value) where T : Microsoft.AspNetCore.Components.IComponent
    {
        var id = page.FindAll("label").Single(l => l.TextContent.Trim() == label).GetAttribute("for");
        Fresh.Dispatch(() =>
        {
            var input = page.Find($"input#{id}");
            // Immediate fields listen to input, the others to change.
            if (input.HasAttribute("blazor:oninput") && !input.HasAttribute("blazor:onchange")) input.Input(value);
            else input.Change(value);
        });
    }

    [Fact]
    public async Task DiscoverNowFillsTheProgressBarToTheEndAndTheLabBmcsAppearInTheListLive()
    {
        var directory = Directory.CreateTempSubdirectory("portal-disc-page-lab-").FullName;
        try
        {
            await using var lab = await LabFleet.StartAsync(new LabOptions { BmcCount = 3, FirstAddress = "127.0.112.1", OutputDirectory = directory, Seed = 7 });
            using (var scope = Portal.Services.CreateScope())
            {
                var import = scope.ServiceProvider.GetRequiredService<CredentialImport>();
                await using var csv = File.OpenRead(lab.CredentialCsvPath);
                Assert.True((await import.ImportAsync(await import.PreviewAsync(csv, "lab.csv", false), "lab.csv", false, Actor.System)).Succeeded);
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, lab.LeaseFilePath, lab.Port, true, DateTimeOffset.UtcNow));
                await db.SaveChangesAsync();
            }
            await SignInAsAdminAsync();
            var page = RenderInteractive<DiscoveryPage>();
            // The table can render before its rows have loaded (seen on CI-like load): wait for the source.
            page.WaitForAssertion(() => Assert.Contains(lab.LeaseFilePath, page.Find("#sources").TextContent), TimeSpan.FromSeconds(10));

            page.Click("Discover now");

            page.WaitForAssertion(() =>
            {
                var progress = page.Find("#discovery-progress");
                Assert.Equal("true", progress.GetAttribute("data-finished"));
                Assert.Equal("100", progress.QuerySelector("[role=progressbar]")!.GetAttribute("aria-valuenow"));
                Assert.Equal($"{lab.Bmcs.Count} inventoried", page.Find("[data-count=inventoried]").TextContent.Trim());
            }, TimeSpan.FromSeconds(60));
            Assert.Contains("Discovery started.", Snackbars);
            Assert.StartsWith("Finished:", page.Find("#discovery-state").TextContent.Trim());
            page.WaitForAssertion(() => Assert.Equal(lab.Bmcs.Count, page.FindAll("#bmc-table tr[data-status=Reachable]").Count), TimeSpan.FromSeconds(10));
            Assert.Equal(lab.Systems.Count(), page.FindAll("#bmc-table td[data-machines]").Sum(td => int.Parse(td.TextContent)));
            Assert.All(lab.Bmcs, b => Assert.DoesNotContain(b.Password, page.Markup));
            Assert.False(page.Button("Discover now")!.HasAttribute("disabled"));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public async Task AMalformedMacInOnboardIsSaidNextToTheField()
    {
        await SignInAsAdminAsync();
        var page = RenderInteractive<OnboardPanel>();

        Fill(page, "BMC MAC", "zz:zz:zz:zz:zz:zz");
        page.Click("Onboard");

        page.WaitForAssertion(() => Assert.Contains("Not a MAC address", page.Find("#onboard .mud-input-helper-text").TextContent));
        Assert.Empty(Snackbars);
    }

    [Fact]
    public async Task AMacNoLeaseSourceKnowsIsSaidNextToTheFieldAndInASnackbar()
    {
        await SignInAsAdminAsync();
        var page = RenderInteractive<OnboardPanel>();

        Fill(page, "BMC MAC", "02:00:00:00:12:34");
        page.Click("Onboard");

        page.WaitForAssertion(() => Assert.Contains("No lease for 02:00:00:00:12:34 in any lease-file source", page.Find("#onboard .mud-input-helper-text").TextContent));
        Assert.Contains(Snackbars, s => s.StartsWith("02:00:00:00:12:34 not onboarded", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Cidr", "10.0.0.0/8", "443", "Not a usable range")]
    [InlineData("Cidr", "not-a-range", "443", "Not a usable range")]
    [InlineData("DnsmasqLeases", "relative/path.leases", "443", "absolute path")]
    [InlineData("IscLeases", "/etc/shadow", "443", "Lease files are read only from")]
    [InlineData("Address", "10.0.0.5", "70000", "port must be a number")]
    public async Task BadSourcesAreRefusedNextToTheFieldAndNothingIsSaved(string kind, string value, string port, string message)
    {
        await SignInAsAdminAsync();
        var page = RenderInteractive<SourcesPanel>();
        page.WaitForElement("#sources");
        var select = page.FindComponent<MudSelect<DiscoverySourceKind>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(Enum.Parse<DiscoverySourceKind>(kind)));
        Fill(page, "Path, range or address", value);
        Fill(page, "Port", port);

        page.Click("Add source");

        page.WaitForAssertion(() => Assert.Contains(page.FindAll("#add-source .mud-input-error"), e => e.TextContent.Contains(message)));
        Assert.Equal(0, await CountSourcesAsync(value));
    }

    [Fact]
    public async Task AManualLoginIsStoredEncryptedAndNeverShown()
    {
        await SignInAsAdminAsync();
        var page = RenderInteractive<SourcesPanel>();
        page.WaitForElement("#sources");
        var select = page.FindComponent<MudSelect<DiscoverySourceKind>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(DiscoverySourceKind.Address));
        Fill(page, "Path, range or address", "127.0.99.7");
        Fill(page, "Port", "8443");
        Fill(page, "Login for ranges/addresses (optional)", "root");
        Fill(page, "Password", "calvin-secret");

        page.Click("Add source");

        page.WaitForAssertion(() => Assert.Contains("127.0.99.7", page.Find("#sources").TextContent));
        Assert.Contains("Source 127.0.99.7 added.", Snackbars);
        Assert.Contains("root / ••••", page.Find("#sources").TextContent);
        Assert.DoesNotContain("calvin-secret", page.Markup);
        using var scope = Portal.Services.CreateScope();
        var source = await scope.ServiceProvider.GetRequiredService<AppDbContext>().DiscoverySources.SingleAsync(s => s.Value == "127.0.99.7");
        Assert.Equal("calvin-secret", scope.ServiceProvider.GetRequiredService<CredentialProtector>().Unprotect(source.EncryptedPassword!));

        // Disable it again from its row.
        Fresh.Dispatch(() => page.Find("button[aria-label='Disable 127.0.99.7']").Click());
        page.WaitForAssertion(() => Assert.Contains("Source 127.0.99.7 disabled.", Snackbars));
        Assert.False((await scope.ServiceProvider.GetRequiredService<AppDbContext>().DiscoverySources.AsNoTracking().SingleAsync(s => s.Value == "127.0.99.7")).Enabled);
    }

    [Fact]
    public async Task ALongBmcErrorIsShortenedUntilExpandedAndWraps()
    {
        var mac = "02:33:00:00:00:01";
        var error = "Redfish said no: " + string.Concat(Enumerable.Repeat("a-very-long-unbroken-token-", 30)) + "END";
        using (var scope = Portal.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var bmc = Bmc.Discovered(mac, "127.0.99.50", 443, true, DateTimeOffset.UtcNow);
            bmc.Failed(BmcStatus.Error, error);
            db.Bmcs.Add(bmc);
            await db.SaveChangesAsync();
        }
        await SignInAsAdminAsync();
        var page = RenderInteractive<BmcList>();

        var cell = page.WaitForElement($"tr[data-bmc-mac='{mac}'] td[data-last-error]");
        Assert.Contains("portal-wrap", cell.ClassName);
        Assert.DoesNotContain("END", cell.TextContent);
        // Found again if a live reload (other tests' BMCs) re-rendered the row meanwhile; expansion is kept per BMC.
        page.WaitForAssertion(() => page.Find($"tr[data-bmc-mac='{mac}'] button[aria-expanded=false]").Click());
        page.WaitForAssertion(() => Assert.Contains("END", page.Find($"tr[data-bmc-mac='{mac}'] td[data-last-error]").TextContent));
        Assert.Contains("Error", page.Find($"tr[data-bmc-mac='{mac}']").TextContent);
    }

    [Fact]
    public void AnOperatorIsRefusedOnTheServerWhenStartingDiscovery()
    {
        SignIn("op-disc", "op-disc@test.local", Roles.Operator);
        var runner = Portal.Services.GetRequiredService<DiscoveryRunner>();
        var page = RenderInteractive<DiscoveryProgressPanel>();

        page.Click("Discover now");

        page.WaitForAssertion(() => Assert.Contains("This needs the Admin role.", Snackbars));
        Assert.False(runner.IsRunning);
    }

    private async Task<int> CountSourcesAsync(string value)
    {
        using var scope = Portal.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().DiscoverySources.CountAsync(s => s.Value == value);
    }
}
