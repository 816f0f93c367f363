using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Credentials;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Credentials;
using Portal.Lab;
using Portal.Tests.Support;
using static Portal.Tests.Credentials.CredentialTestSupport;

namespace Portal.Tests.Credentials;

/// <summary>The credentials page in a circuit (bUnit) against the real Portal services and database.</summary>
public sealed class CredentialPageTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    private const byte Tag = 0x11;

    private async Task<IRenderedComponent<CredentialsPage>> OpenAsAdminAsync()
    {
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<CredentialsPage>();
        page.WaitForElement("#credential-count");
        return page;
    }

    [Fact]
    public async Task TheLabCredentialListPreviewsEveryRowThenImportStoresThemEncryptedAndThePreviewIsGone()
    {
        var output = Directory.CreateTempSubdirectory("portal-creds-lab-").FullName;
        try
        {
            await using var fleet = await LabFleet.StartAsync(new LabOptions { BmcCount = 8, FirstAddress = "127.0.60.1", OutputDirectory = output });
            var page = await OpenAsAdminAsync();

            page.Choose(await File.ReadAllTextAsync(fleet.CredentialCsvPath), "bmc-credentials.csv");

            var rows = page.PreviewRows();
            Assert.Equal(8, rows.Count);
            Assert.All(rows, r => Assert.Equal("Ok", r.GetAttribute("data-verdict")));
            Assert.NotNull(page.Button("Import 8 entries"));
            foreach (var bmc in fleet.Bmcs)
            {
                Assert.Contains(page.FindAll("#preview code.mac"), c => c.TextContent == bmc.Mac);
                Assert.DoesNotContain(bmc.Password, page.Markup);
            }
            Assert.Null(await Portal.StoredAsync(fleet.Bmcs[0].Mac)); // nothing saved by the preview

            page.Click("Import 8 entries");

            page.WaitForAssertion(() => Assert.Contains("Imported 8 new entries from bmc-credentials.csv.", Snackbars), TimeSpan.FromSeconds(10));
            page.WaitForAssertion(() => Assert.Empty(page.FindAll("#credential-preview")));
            page.WaitForAssertion(() => Assert.Contains(fleet.Bmcs[0].Mac, page.Find("#credentials").TextContent));
            foreach (var bmc in fleet.Bmcs)
            {
                var stored = await Portal.StoredAsync(bmc.Mac);
                Assert.NotNull(stored);
                Assert.Equal(bmc.Username, stored.Username);
                Assert.Equal(bmc.SerialNumber, stored.Serial);
                Assert.Equal(PortalFactory.AdminEmail, stored.ImportedBy);
                Assert.DoesNotContain(bmc.Password, stored.EncryptedPassword);
                Assert.Equal(bmc.Password, Portal.Decrypt(stored.EncryptedPassword));
                Assert.Contains(bmc.Mac, page.Find("#credentials").TextContent);
                Assert.DoesNotContain(bmc.Password, page.Markup);
            }

            using var scope = Portal.Services.CreateScope();
            var audit = await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEvents
                .Where(e => e.Action == "credentials.imported" && e.TargetId == "bmc-credentials.csv").ToListAsync();
            var entry = Assert.Single(audit);
            Assert.Contains("8 new, 0 replaced", entry.Summary);
            Assert.All(fleet.Bmcs, b => Assert.DoesNotContain(b.Password, entry.Summary));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task ACsvWithABadMacInItsThirdRowPreviewsTwoValidRowsAndThatRowsErrorAndImportsNothing()
    {
        var page = await OpenAsAdminAsync();
        var before = await Portal.CredentialCountAsync();

        page.Choose($"bmc_mac,username,password\n{NewMac(Tag)},root,Secret-1\n{NewMac(Tag)},root,Secret-2\nnot-a-mac,root,Secret-3\n{NewMac(Tag)},root,\n");

        var rows = page.PreviewRows();
        Assert.Contains("vendor.csv: nothing can be imported until the errors below are fixed.", Snackbars);
        Assert.Equal(["Ok", "Ok", "Error", "Error"], rows.Select(r => r.GetAttribute("data-verdict")));
        Assert.Equal(["2", "3", "4", "5"], rows.Select(r => r.GetAttribute("data-line")));
        Assert.Contains("Bad MAC", rows[2].QuerySelector(".reasons")!.TextContent);
        Assert.Contains("not-a-mac", rows[2].TextContent);
        Assert.Contains("Password is empty", rows[3].QuerySelector(".reasons")!.TextContent);
        Assert.Contains("2 ok", page.Find("#upload-summary").TextContent);
        Assert.Contains("2 with errors", page.Find("#upload-summary").TextContent);
        Assert.Null(page.Button("Import"));
        Assert.NotNull(page.Find("#not-importable"));
        Assert.DoesNotContain("Secret-", page.Markup);
        Assert.Equal(before, await Portal.CredentialCountAsync());
    }

    [Fact]
    public async Task MacSpellingsAreShownNormalised()
    {
        var page = await OpenAsAdminAsync();
        page.Choose("mac,user,pass\nAA-BB-CC-00-11-01,root,x\naabb.cc00.1102,root,y\naabbcc001103,root,z\n");
        page.PreviewRows();
        Assert.Equal(["aa:bb:cc:00:11:01", "aa:bb:cc:00:11:02", "aa:bb:cc:00:11:03"], page.FindAll("#preview code.mac").Select(c => c.TextContent));
    }

    [Fact]
    public async Task AConflictWithAStoredEntryIsAnErrorUntilReplaceIsTickedThenImportReplacesIt()
    {
        var mac = NewMac(Tag);
        await ImportDirectlyAsync($"bmc_mac,username,password\n{mac},first,Old-Pass\n");
        var count = await Portal.CredentialCountAsync();
        var page = await OpenAsAdminAsync();

        page.Choose($"bmc_mac,username,password\n{mac},second,New-Pass\n");
        Assert.Contains("already exists", page.PreviewRows()[0].QuerySelector(".reasons")!.TextContent);
        Assert.Null(page.Button("Import"));

        // The same file, checked again with "replace".
        page.Tick("Replace existing entries for the same MAC", true);
        page.WaitForElement("#replace-chosen");
        Assert.Contains("Ok, replaces", page.PreviewRows()[0].TextContent);
        page.Click("Import 1 entry");

        page.WaitForAssertion(() => Assert.Contains($"Imported 0 new entries and replaced 1 from vendor.csv.", Snackbars));
        var stored = await Portal.StoredAsync(mac);
        Assert.Equal("second", stored!.Username);
        Assert.Equal("New-Pass", Portal.Decrypt(stored.EncryptedPassword));
        Assert.Equal(count, await Portal.CredentialCountAsync());
    }

    [Fact]
    public async Task AnEntryImportedByOthersSinceThePreviewStopsTheWholeImportAndThePreviewShowsWhy()
    {
        var (a, b) = (NewMac(Tag), NewMac(Tag));
        var page = await OpenAsAdminAsync();
        page.Choose($"bmc_mac,username,password\n{a},root,pw-a\n{b},root,pw-b\n");
        page.PreviewRows();

        await ImportDirectlyAsync($"bmc_mac,username,password\n{b},other,pw-other\n"); // someone else, in between
        var count = await Portal.CredentialCountAsync();
        page.Click("Import 2 entries");

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.StartsWith("Nothing was imported", StringComparison.Ordinal)));
        page.WaitForAssertion(() => Assert.Contains("already exists", page.Find($"#preview tr[data-line='3'] .reasons").TextContent));
        Assert.Null(page.Button("Import"));
        Assert.Null(await Portal.StoredAsync(a));
        Assert.Equal(count, await Portal.CredentialCountAsync());
    }

    [Fact]
    public async Task AFileOverTheSizeLimitIsRefusedNextToTheUploadWithoutBeingRead()
    {
        var page = await OpenAsAdminAsync();
        var before = await Portal.CredentialCountAsync();

        page.Choose(new byte[6 * 1024 * 1024], "huge.csv");

        page.WaitForAssertion(() => Assert.Contains("larger than the limit of 5,242,880 bytes", page.Find("#upload-error").TextContent));
        Assert.Empty(page.FindAll("#credential-preview"));
        Assert.Equal(before, await Portal.CredentialCountAsync());
    }

    [Fact]
    public async Task PasswordsWithQuotesAndCommasAreNeverShownInThePreviewOrTheList()
    {
        var (a, b) = (NewMac(Tag), NewMac(Tag));
        var csv = $"bmc_mac,username,password,notes\n{a},root,\"p,a\"\"ss, w\"\"\"\"ord\"\"\",\"rack 4, row 2\"\n{b},root,\" spaced \",\n";
        var page = await OpenAsAdminAsync();

        page.Choose(csv);
        page.PreviewRows();
        Assert.DoesNotContain("ass, w", page.Markup);
        Assert.DoesNotContain("spaced", page.Markup);
        Assert.Contains("leading or trailing spaces", page.Markup);

        page.Click("Import 2 entries");
        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.StartsWith("Imported 2 new entries", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Assert.Contains(a, page.Find("#credentials").TextContent));
        Assert.Contains("rack 4, row 2", page.Find("#credentials").TextContent);
        Assert.DoesNotContain("ass, w", page.Markup);
        Assert.Equal(" spaced ", Portal.Decrypt((await Portal.StoredAsync(b))!.EncryptedPassword));
    }

    [Fact]
    public async Task AnAdminDemotedToOperatorAfterThePreviewIsRefusedOnTheServerWhenImporting()
    {
        var page = await OpenAsAdminAsync();
        var mac = NewMac(Tag);
        page.Choose($"bmc_mac,username,password\n{mac},root,Demoted-1\n");
        page.PreviewRows();

        // The button is still on screen; the role check happens again in the import action itself.
        SignIn("demoted", PortalFactory.AdminEmail, Roles.Operator);
        page.Click("Import 1 entry");

        page.WaitForAssertion(() => Assert.Contains("This needs the Admin role.", Snackbars));
        Assert.Null(await Portal.StoredAsync(mac));
    }

    [Fact]
    public void AnOperatorCannotEvenPreviewAList()
    {
        SignIn("op-creds", "operator-creds@test.local", Roles.Operator);
        var page = RenderInteractive<CredentialsPage>();
        page.WaitForElement("#credential-count");

        page.Choose($"bmc_mac,username,password\n{NewMac(Tag)},root,Op-1\n");

        page.WaitForAssertion(() => Assert.Contains("This needs the Admin role.", Snackbars));
        Assert.Empty(page.FindAll("#credential-preview"));
    }

    [Fact]
    public async Task TheCredentialsPageIsForAdminsOnly()
    {
        await Portal.CreateUserAsync("operator-creds@test.local", "Operator-Passw0rd", Roles.Operator);
        var browser = await Portal.SignedInAsync("operator-creds@test.local", "Operator-Passw0rd");

        var response = await browser.GetAsync("/admin/credentials");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery);
        // The old form posts are gone: the only import outside the page is the API.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await (await Portal.SignedInAsync()).PostAsync("/admin/credentials/upload", new StringContent(""))).StatusCode);
    }


    private async Task ImportDirectlyAsync(string csv)
    {
        using var scope = Portal.Services.CreateScope();
        var import = scope.ServiceProvider.GetRequiredService<CredentialImport>();
        var preview = await import.PreviewAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), "other.csv", replace: false);
        Assert.True((await import.ImportAsync(preview, "other.csv", false, new Actor(null, "other-admin"))).Succeeded);
    }
}
