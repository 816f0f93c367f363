using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Core.Users;
using Portal.Tests.Support;
using static Portal.Tests.Credentials.CredentialTestSupport;

namespace Portal.Tests.Credentials;

public sealed class CredentialApiTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const byte Tag = 0x22;
    private static string? token;

    private async Task<HttpClient> AdminApiAsync() =>
        factory.Api(token ??= await (await factory.SignedInAsync()).CreateTokenAsync("credentials"));

    private static HttpContent Csv(string text) => new StringContent(text, Encoding.UTF8, "text/csv");

    private static HttpContent Csv(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    public static TheoryData<string, string> BadFiles() => new()
    {
        { "bad MAC", "bmc_mac,username,password\n{0},root,pw-1\nzz:zz:zz:zz:zz:zz,root,pw-2\n" },
        { "empty password", "bmc_mac,username,password\n{0},root,pw-1\n{1},root,\n" },
        { "duplicate in file", "bmc_mac,username,password\n{0},root,pw-1\n{1},root,pw-2\n{1},root,pw-3\n" },
        { "over-long field", "bmc_mac,username,password\n{0},root,pw-1\n{1}," + new string('u', 65) + ",pw-2\n" },
        { "wrong column count", "bmc_mac,username,password,serial\n{0},root,pw-1,SN1\n{1},root,pw,2,SN2\n" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task ABadRowMeansNothingIsImportedAndThe422ReportNamesIt(string kind, string template)
    {
        var api = await AdminApiAsync();
        var (first, second) = (NewMac(Tag), NewMac(Tag));
        var before = await factory.CredentialCountAsync();

        var response = await api.PostAsync("/api/v1/credentials/import", Csv(string.Format(template, first, second)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        var report = JsonDocument.Parse(json).RootElement;
        var rows = report.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal("Ok", rows[0].GetProperty("verdict").GetString());
        var reasons = string.Join(" ", rows.Skip(1).SelectMany(r => r.GetProperty("errors").EnumerateArray()).Select(e => e.GetString()));
        var expected = kind switch
        {
            "bad MAC" => "Bad MAC",
            "empty password" => "Password is empty",
            "duplicate in file" => "Duplicate MAC",
            "over-long field" => "Username is too long",
            _ => "Wrong column count",
        };
        Assert.Contains(expected, reasons);
        Assert.DoesNotContain("pw-", json);
        Assert.Equal(before, await factory.CredentialCountAsync());
        Assert.Null(await factory.StoredAsync(first));
    }

    [Fact]
    public async Task AConflictIsRefusedWithoutReplaceAndOverwrittenWithIt()
    {
        var api = await AdminApiAsync();
        var mac = NewMac(Tag);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/credentials/import", Csv($"bmc_mac,username,password\n{mac},root,pw-old\n"))).StatusCode);

        var refused = await api.PostAsync("/api/v1/credentials/import", Csv($"bmc_mac,username,password\n{NewMac(Tag)},root,pw-x\n{mac},admin,pw-new\n"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("already exists", await refused.Content.ReadAsStringAsync());
        Assert.Equal("pw-old", factory.Decrypt((await factory.StoredAsync(mac))!.EncryptedPassword));

        var replaced = await api.PostAsync("/api/v1/credentials/import?replace=true", Csv($"bmc_mac,username,password\n{mac},admin,pw-new\n"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var body = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, body.GetProperty("added").GetInt32());
        Assert.Equal(1, body.GetProperty("replaced").GetInt32());
        var stored = await factory.StoredAsync(mac);
        Assert.Equal("admin", stored!.Username);
        Assert.Equal("pw-new", factory.Decrypt(stored.EncryptedPassword));
    }

    [Fact]
    public async Task AFiftyMegabyteBodyGets413AndNothingIsImported()
    {
        var api = await AdminApiAsync();
        var before = await factory.CredentialCountAsync();
        var header = Encoding.UTF8.GetBytes($"bmc_mac,username,password\n{NewMac(Tag)},root,pw-big\n");
        var body = new byte[50 * 1024 * 1024];
        header.CopyTo(body, 0);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        var response = await api.PostAsync("/api/v1/credentials/import", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("limit", await response.Content.ReadAsStringAsync());
        // Refused on Content-Length before reading (no wall-clock assertion: see the project's test policy).
        Assert.Equal(before, await factory.CredentialCountAsync());
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitAlsoGets413()
    {
        var api = await AdminApiAsync();
        var content = new StreamContent(new MemoryStream(new byte[6 * 1024 * 1024]));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credentials/import") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await api.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AFileWithAByteOrderMarkImports()
    {
        var api = await AdminApiAsync();
        var mac = NewMac(Tag);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($"bmc_mac,username,password\n{mac},root,pw-bom\n")).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/credentials/import", Csv(bytes))).StatusCode);
        Assert.Equal("pw-bom", factory.Decrypt((await factory.StoredAsync(mac))!.EncryptedPassword));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public async Task CrlfAndLfLineEndingsGiveTheSamePasswords(string newline)
    {
        var api = await AdminApiAsync();
        var (a, b) = (NewMac(Tag), NewMac(Tag));
        var csv = string.Join(newline, "bmc_mac,username,password,serial", $"{a},root,pw-end-a,SN-A", $"{b},root,pw-end-b,SN-B") + newline;
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/credentials/import", Csv(csv))).StatusCode);
        var stored = await factory.StoredAsync(b);
        Assert.Equal("pw-end-b", factory.Decrypt(stored!.EncryptedPassword));
        Assert.Equal("SN-B", stored.Serial);
        Assert.Equal("pw-end-a", factory.Decrypt((await factory.StoredAsync(a))!.EncryptedPassword));
    }

    [Fact]
    public async Task QuotesAndCommasInPasswordsRoundTripExactlyAndAreNeverEchoed()
    {
        var api = await AdminApiAsync();
        var (a, b) = (NewMac(Tag), NewMac(Tag));
        const string tricky = "p,a\"ss, w\"\"ord\"";
        var quoted = "\"" + tricky.Replace("\"", "\"\"") + "\"";
        var csv = $"bmc_mac,username,password,notes\n{a},root,{quoted},\"rack 4, row 2\"\n{b},root,\" spaced \",\n";

        var dry = await api.PostAsync("/api/v1/credentials/import?dryRun=true", Csv(csv));
        var dryJson = await dry.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        Assert.Contains("leading or trailing spaces", dryJson);
        Assert.Null(await factory.StoredAsync(a));

        var response = await api.PostAsync("/api/v1/credentials/import", Csv(csv));
        var json = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(tricky, factory.Decrypt((await factory.StoredAsync(a))!.EncryptedPassword));
        Assert.Equal(" spaced ", factory.Decrypt((await factory.StoredAsync(b))!.EncryptedPassword));
        Assert.Equal("rack 4, row 2", (await factory.StoredAsync(a))!.Notes);

        var list = await (await api.GetAsync("/api/v1/credentials")).Content.ReadAsStringAsync();
        foreach (var text in new[] { dryJson, json, list })
        {
            Assert.DoesNotContain("ass, w", text);
            Assert.DoesNotContain("spaced", text);
            Assert.DoesNotContain("\"password\"", text, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains(a, list);
    }

    [Fact]
    public async Task JsonAndMultipartUploadsAreAccepted()
    {
        var api = await AdminApiAsync();
        var (a, b) = (NewMac(Tag), NewMac(Tag));
        var json = new StringContent($$"""[{"bmc_mac":"{{a}}","username":"root","password":"pw-json","vendor":"Dell"}]""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/credentials/import", json)).StatusCode);
        Assert.Equal("Dell", (await factory.StoredAsync(a))!.Vendor);

        var multipart = new MultipartFormDataContent { { Csv($"bmc_mac,username,password\n{b},root,pw-multi\n"), "file", "list.csv" } };
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("/api/v1/credentials/import", multipart)).StatusCode);
        Assert.Equal("pw-multi", factory.Decrypt((await factory.StoredAsync(b))!.EncryptedPassword));
    }

    [Fact]
    public async Task ATokenOfANonAdminGets403()
    {
        await factory.CreateUserAsync("creds-user@test.local", "Creds-User-Passw0rd", Roles.Operator);
        var secret = await (await factory.SignedInAsync("creds-user@test.local", "Creds-User-Passw0rd")).CreateTokenAsync("not-admin");
        var api = factory.Api(secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/credentials")).StatusCode);
        var before = await factory.CredentialCountAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync("/api/v1/credentials/import", Csv($"bmc_mac,username,password\n{NewMac(Tag)},root,pw\n"))).StatusCode);
        Assert.Equal(before, await factory.CredentialCountAsync());
    }
}
