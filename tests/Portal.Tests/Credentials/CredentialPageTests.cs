using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Lab;
using Portal.Tests.Support;
using static Portal.Tests.Credentials.CredentialTestSupport;

namespace Portal.Tests.Credentials;

public sealed class CredentialPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const byte Tag = 0x11;

    [Fact]
    public async Task TheLabCredentialListPreviewsEightOkRowsAndImportsThemEncrypted()
    {
        var output = Directory.CreateTempSubdirectory("portal-creds-lab-").FullName;
        try
        {
            await using var fleet = await LabFleet.StartAsync(new LabOptions { BmcCount = 8, FirstAddress = "127.0.60.1", OutputDirectory = output });
            var csv = await File.ReadAllTextAsync(fleet.CredentialCsvPath);
            var browser = await factory.SignedInAsync();

            var preview = await browser.UploadAndPreviewAsync(csv, "bmc-credentials.csv");
            var rows = preview.Page.QuerySelectorAll("#preview tbody tr");
            Assert.Equal(8, rows.Length);
            Assert.All(rows, r => Assert.Equal("Ok", r.GetAttribute("data-verdict")));
            Assert.Equal("Import 8 entries", preview.Page.QuerySelector("#import")!.TextContent.Trim());
            foreach (var bmc in fleet.Bmcs)
            {
                Assert.Contains(preview.Page.QuerySelectorAll("#preview code.mac"), c => c.TextContent == bmc.Mac);
                Assert.DoesNotContain(bmc.Password, preview.Html);
            }

            var imported = await browser.ImportAsync(preview);
            Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode);
            Assert.Equal("/admin/credentials?imported=8&replaced=0", imported.Headers.Location!.OriginalString);

            var listHtml = await (await browser.GetAsync(imported.Headers.Location.OriginalString)).Content.ReadAsStringAsync();
            var list = BrowserSession.Parse(listHtml);
            Assert.Contains("Imported 8 new entries", list.QuerySelector("#import-success")!.TextContent);
            foreach (var bmc in fleet.Bmcs)
            {
                var stored = await factory.StoredAsync(bmc.Mac);
                Assert.NotNull(stored);
                Assert.Equal(bmc.Username, stored.Username);
                Assert.Equal(bmc.SerialNumber, stored.Serial);
                Assert.Equal(PortalFactory.AdminEmail, stored.ImportedBy);
                Assert.NotEqual(bmc.Password, stored.EncryptedPassword);
                Assert.DoesNotContain(bmc.Password, stored.EncryptedPassword);
                Assert.Equal(bmc.Password, factory.Decrypt(stored.EncryptedPassword));
                Assert.NotNull(list.QuerySelector($"#credentials tr[data-mac='{bmc.Mac}']"));
                Assert.DoesNotContain(bmc.Password, listHtml);
            }

            using var scope = factory.Services.CreateScope();
            var audit = await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEvents
                .Where(e => e.Action == "credentials.imported" && e.TargetId == "bmc-credentials.csv").ToListAsync();
            var entry = Assert.Single(audit);
            Assert.Contains("8 new, 0 replaced", entry.Summary);
            Assert.Contains("bmc-credentials.csv", entry.Summary);
            Assert.All(fleet.Bmcs, b => Assert.DoesNotContain(b.Password, entry.Summary));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task ARowWithAnErrorShowsItsReasonInRedAndOffersNoImport()
    {
        var browser = await factory.SignedInAsync();
        var good = NewMac(Tag);
        var before = await factory.CredentialCountAsync();

        var preview = await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{good},root,Secret-1\nnot-a-mac,root,Secret-2\n{NewMac(Tag)},root,\n");

        var rows = preview.Page.QuerySelectorAll("#preview tbody tr");
        Assert.Equal(["Ok", "Error", "Error"], rows.Select(r => r.GetAttribute("data-verdict")));
        Assert.Contains("table-success", rows[0].ClassName);
        Assert.Contains("table-danger", rows[1].ClassName);
        Assert.Contains("Bad MAC", rows[1].QuerySelector(".reasons")!.TextContent);
        Assert.Contains("Password is empty", rows[2].QuerySelector(".reasons")!.TextContent);
        Assert.Equal(["2", "3", "4"], rows.Select(r => r.GetAttribute("data-line")));
        Assert.Null(preview.Page.QuerySelector("#import"));
        Assert.NotNull(preview.Page.QuerySelector("#not-importable"));
        Assert.Equal(before, await factory.CredentialCountAsync());
    }

    [Fact]
    public async Task MacSpellingsAreShownNormalised()
    {
        var browser = await factory.SignedInAsync();
        var preview = await browser.UploadAndPreviewAsync("mac,user,pass\nAA-BB-CC-00-11-01,root,x\naabb.cc00.1102,root,y\naabbcc001103,root,z\n");
        Assert.Equal(["aa:bb:cc:00:11:01", "aa:bb:cc:00:11:02", "aa:bb:cc:00:11:03"],
            preview.Page.QuerySelectorAll("#preview code.mac").Select(c => c.TextContent));
    }

    [Fact]
    public async Task ConflictWithAStoredEntryIsAnErrorUnlessReplaceIsChosen()
    {
        var browser = await factory.SignedInAsync();
        var mac = NewMac(Tag);
        await browser.ImportAsync(await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{mac},first,Old-Pass\n"));
        var count = await factory.CredentialCountAsync();

        var conflict = await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{mac},second,New-Pass\n");
        Assert.Contains("already exists", conflict.Page.QuerySelector("#preview .reasons")!.TextContent);
        Assert.Null(conflict.Page.QuerySelector("#import"));

        var replacing = await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{mac},second,New-Pass\n", replace: true);
        Assert.NotNull(replacing.Page.QuerySelector("#replace-chosen"));
        Assert.Contains("replaces", replacing.Page.QuerySelector("#preview .badge")!.TextContent);
        var done = await browser.ImportAsync(replacing);
        Assert.Equal("/admin/credentials?imported=0&replaced=1", done.Headers.Location!.OriginalString);

        var stored = await factory.StoredAsync(mac);
        Assert.Equal("second", stored!.Username);
        Assert.Equal("New-Pass", factory.Decrypt(stored.EncryptedPassword));
        Assert.Equal(count, await factory.CredentialCountAsync());
    }

    [Fact]
    public async Task AnEntryImportedByOthersSinceThePreviewStopsTheWholeImport()
    {
        var browser = await factory.SignedInAsync();
        var (a, b) = (NewMac(Tag), NewMac(Tag));
        var preview = await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{a},root,pw-a\n{b},root,pw-b\n");
        Assert.NotNull(preview.Page.QuerySelector("#import"));

        // Someone else imports one of the MACs in between.
        await browser.ImportAsync(await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{b},other,pw-other\n"));
        var count = await factory.CredentialCountAsync();

        var response = await browser.ImportAsync(preview);
        Assert.Equal(preview.Url, response.Headers.Location!.OriginalString);
        var after = BrowserSession.Parse(await (await browser.GetAsync(preview.Url)).Content.ReadAsStringAsync());
        Assert.Contains("already exists", after.QuerySelector("#preview tr[data-verdict=Error] .reasons")!.TextContent);
        Assert.Null(await factory.StoredAsync(a));
        Assert.Equal(count, await factory.CredentialCountAsync());
    }

    [Fact]
    public async Task AFileOverTheSizeLimitIsRefusedWithAClearMessage()
    {
        var browser = await factory.SignedInAsync();
        var before = await factory.CredentialCountAsync();
        var response = await browser.UploadAsync(new byte[6 * 1024 * 1024], "huge.csv");
        Assert.Equal("/admin/credentials?tooLarge=1", response.Headers.Location!.OriginalString);
        var page = await browser.GetPageAsync("/admin/credentials?tooLarge=1");
        Assert.Contains("larger than the limit", page.QuerySelector("#upload-error")!.TextContent);
        Assert.Equal(before, await factory.CredentialCountAsync());
    }

    [Fact]
    public async Task APreviewBelongsToTheAdminWhoUploadedIt()
    {
        var browser = await factory.SignedInAsync();
        var preview = await browser.UploadAndPreviewAsync($"bmc_mac,username,password\n{NewMac(Tag)},root,Mine-Only\n");
        await factory.CreateUserAsync("other-admin@test.local", "Other-Admin-Passw0rd", Roles.Admin);
        var other = await factory.SignedInAsync("other-admin@test.local", "Other-Admin-Passw0rd");

        var page = await other.GetPageAsync(preview.Url);
        Assert.NotNull(page.QuerySelector("#upload-missing"));
        Assert.Null(page.QuerySelector("#preview"));
    }

    [Fact]
    public async Task NonAdminsCannotSeeOrUseTheCredentialPages()
    {
        await factory.CreateUserAsync("operator-creds@test.local", "Operator-Passw0rd", Roles.Operator);
        var browser = await factory.SignedInAsync("operator-creds@test.local", "Operator-Passw0rd");

        var page = await browser.GetAsync("/admin/credentials");
        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
        var upload = await browser.PostAsync("/admin/credentials/upload", new StringContent("bmc_mac,username,password\n"));
        Assert.True(upload.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden, $"got {(int)upload.StatusCode}");
        if (upload.StatusCode == HttpStatusCode.Redirect)
            Assert.Contains("/account/", upload.Headers.Location!.OriginalString);
    }
}
