using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;

namespace Portal.Core.Tests.Credentials;

public sealed class CredentialListParserTests
{
    private readonly CredentialListParser _parser = new();

    private static CredentialListParser WithLimits(CredentialListLimits limits) => new(Options.Create(limits));

    [Fact]
    public void ParseReadsAValidCsvAndNormalisesMacs()
    {
        var preview = _parser.Parse("""
            bmc_mac,username,password,serial,vendor,notes
            AA-BB-CC-00-00-01,admin,s3cret,SN1,Dell,rack 4
            aabb.cc00.0002,root,calvin,,,
            """);

        Assert.True(preview.IsImportable);
        Assert.Equal(CredentialListFormat.Csv, preview.Format);
        Assert.Equal(2, preview.OkCount);
        var first = preview.Rows[0];
        Assert.Equal(2, first.LineNumber);
        Assert.Equal(MacAddress.Parse("aa:bb:cc:00:00:01"), first.Mac);
        Assert.Equal(("admin", "s3cret", "SN1", "Dell", "rack 4"), (first.Username, first.Password, first.Serial, first.Vendor, first.Notes));
        Assert.Null(preview.Rows[1].Serial);
    }

    [Theory]
    [InlineData("MAC,User,Password")]
    [InlineData("BMC MAC Address,Login,Passwd")]
    [InlineData("bmc-mac,USERNAME,pwd")]
    [InlineData("ipmi_mac,bmc_user,bmc_password")]
    public void ParseAcceptsCommonHeaderSpellings(string header)
    {
        var preview = _parser.Parse($"{header}\naa:bb:cc:00:00:01,admin,pw\n");
        Assert.True(preview.IsImportable, string.Join("; ", preview.FileErrors));
    }

    [Fact]
    public void ParseRejectsRowWithBadMac()
    {
        var row = Assert.Single(_parser.Parse("mac,user,password\naa:bb:cc:00:00:0g,admin,pw\n").Rows);
        Assert.Equal(CredentialRowVerdict.Error, row.Verdict);
        Assert.Contains(row.Errors, e => e.StartsWith("Bad MAC:") && e.Contains("non-hex character 'g'"));
    }

    [Fact]
    public void ParseRejectsRowWithEmptyUsername() =>
        Assert.Contains("Username is empty.", Assert.Single(_parser.Parse("mac,user,password\naa:bb:cc:00:00:01, ,pw\n").Rows).Errors);

    [Fact]
    public void ParseRejectsRowWithEmptyPassword()
    {
        var preview = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin,\n");
        Assert.Contains("Password is empty.", Assert.Single(preview.Rows).Errors);
        Assert.False(preview.IsImportable);
    }

    [Fact]
    public void ParseMarksEveryDuplicateMacNamingTheOtherLine()
    {
        var preview = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,a,1\naa:bb:cc:00:00:02,b,2\nAABBCC000001,c,3\n");
        Assert.Contains("Duplicate MAC aa:bb:cc:00:00:01: also on line 4.", preview.Rows[0].Errors);
        Assert.True(preview.Rows[1].IsOk);
        Assert.Contains("Duplicate MAC aa:bb:cc:00:00:01: also on line 2.", preview.Rows[2].Errors);
        Assert.False(preview.IsImportable);
    }

    [Theory]
    [InlineData("username", 65)]
    [InlineData("password", 129)]
    [InlineData("serial", 65)]
    [InlineData("vendor", 65)]
    [InlineData("notes", 257)]
    public void ParseRejectsOverLongFields(string field, int length)
    {
        var values = new Dictionary<string, string> { ["username"] = "u", ["password"] = "p", ["serial"] = "s", ["vendor"] = "v", ["notes"] = "n" };
        values[field] = new string('x', length);
        var csv = $"mac,username,password,serial,vendor,notes\naa:bb:cc:00:00:01,{values["username"]},{values["password"]},{values["serial"]},{values["vendor"]},{values["notes"]}\n";

        var row = Assert.Single(_parser.Parse(csv).Rows);
        Assert.Contains(row.Errors, e => e.Contains("too long") && e.Contains($"{length} characters, the limit is {length - 1}"));
    }

    [Fact]
    public void FieldsAtTheLimitAreAccepted()
    {
        var csv = $"mac,username,password\naa:bb:cc:00:00:01,{new string('u', 64)},{new string('p', 128)}\n";
        Assert.True(_parser.Parse(csv).IsImportable);
    }

    [Fact]
    public void ParseRejectsRowWithWrongColumnCount()
    {
        var preview = _parser.Parse("mac,user,password,serial\naa:bb:cc:00:00:01,admin,pa,ss,SN1\naa:bb:cc:00:00:02,admin\n");
        Assert.Equal(["Wrong column count: expected 4, found 5 (an unquoted comma in a value?)."], preview.Rows[0].Errors);
        Assert.Equal(["Wrong column count: expected 4, found 2."], preview.Rows[1].Errors);
        // The MAC is still shown for the broken row.
        Assert.Equal(MacAddress.Parse("aa:bb:cc:00:00:01"), preview.Rows[0].Mac);
    }

    [Fact]
    public void ParseRejectsRowWithUnterminatedQuoteButKeepsReadingLaterRows()
    {
        var preview = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin,\"unclosed\naa:bb:cc:00:00:02,admin,fine\n");
        Assert.Equal(["Unterminated quote: the quote at column 25 is never closed."], preview.Rows[0].Errors);
        Assert.True(preview.Rows[1].IsOk);
        Assert.Equal(3, preview.Rows[1].LineNumber);
        Assert.False(preview.IsImportable);
    }

    [Fact]
    public void ParseRejectsTextAfterAClosingQuote() =>
        Assert.Contains("after a closing quote", Assert.Single(_parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin,\"ab\"c\n").Rows).Errors[0]);

    [Fact]
    public void QuotedPasswordsMayContainCommasAndQuotes()
    {
        var preview = _parser.Parse("mac,user,password,serial\naa:bb:cc:00:00:01,admin,\"p,a\"\"ss,\",SN1\naa:bb:cc:00:00:02,admin, \"x y\" ,SN2\n");
        Assert.True(preview.IsImportable);
        Assert.Equal("p,a\"ss,", preview.Rows[0].Password);
        Assert.Equal("SN1", preview.Rows[0].Serial);
        Assert.Equal("x y", preview.Rows[1].Password);
    }

    [Fact]
    public void UnquotedPasswordKeepsItsSpacesWithAWarning()
    {
        var row = Assert.Single(_parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin, pw\n").Rows);
        Assert.True(row.IsOk);
        Assert.Equal(" pw", row.Password);
        Assert.Single(row.Warnings);
    }

    [Fact]
    public void CrlfAndLfFilesGiveTheSameRows()
    {
        var lf = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin,pw1\n\naa:bb:cc:00:00:02,root,pw2\n");
        var crlf = _parser.Parse("mac,user,password\r\naa:bb:cc:00:00:01,admin,pw1\r\n\r\naa:bb:cc:00:00:02,root,pw2\r\n");

        Assert.Equal(lf.Rows.Select(r => (r.LineNumber, r.Mac, r.Username, r.Password)), crlf.Rows.Select(r => (r.LineNumber, r.Mac, r.Username, r.Password)));
        Assert.Equal("pw2", crlf.Rows[1].Password); // no trailing \r
        Assert.Equal(4, crlf.Rows[1].LineNumber);
    }

    [Fact]
    public void Utf8BomIsIgnored()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("bmc_mac,username,password\naa:bb:cc:00:00:01,admin,pw\n")).ToArray();
        var preview = _parser.Parse(bytes, "list.csv");
        Assert.True(preview.IsImportable, string.Join("; ", preview.FileErrors));
    }

    [Fact]
    public void Utf16FileFromExcelIsRead()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("mac,user,password\naa:bb:cc:00:00:01,admin,pässwörd\n")).ToArray();
        Assert.Equal("pässwörd", Assert.Single(_parser.Parse(bytes, "list.csv").Rows).Password);
    }

    [Fact]
    public void InvalidUtf8IsRefusedWithAClearMessage()
    {
        var bytes = Encoding.UTF8.GetBytes("mac,user,password\naa:bb:cc:00:00:01,admin,").Concat(new byte[] { 0xE9, 0x0A }).ToArray();
        var preview = _parser.Parse(bytes, "list.csv");
        Assert.Contains("not valid UTF-8", Assert.Single(preview.FileErrors));
        Assert.Empty(preview.Rows);
    }

    [Fact]
    public async Task FiftyMegabyteFileIsRefusedQuicklyByTheSizeLimit()
    {
        var line = "aa:bb:cc:00:00:01,admin,password-password-password\n"u8.ToArray();
        var content = new byte[50 * 1024 * 1024];
        for (var i = 0; i + line.Length <= content.Length; i += line.Length)
            line.CopyTo(content, i);

        var stopwatch = Stopwatch.StartNew();
        // A non-seekable stream, like an upload body, so the limit must stop the read itself.
        var preview = await _parser.ParseAsync(new NonSeekableStream(content), "huge.csv");
        stopwatch.Stop();

        Assert.False(preview.IsImportable);
        Assert.Empty(preview.Rows);
        Assert.Equal("The file is larger than the limit of 5,242,880 bytes (5 MB). Split it into smaller files.", Assert.Single(preview.FileErrors));
    }

    [Fact]
    public async Task SeekableOversizedStreamIsRefusedWithoutReadingIt()
    {
        var preview = await _parser.ParseAsync(new MemoryStream(new byte[6 * 1024 * 1024]), "big.csv");
        Assert.Equal("The file is 6,291,456 bytes; the limit is 5,242,880 bytes (5 MB). Split it into smaller files.", Assert.Single(preview.FileErrors));
    }

    [Fact]
    public void TooManyRowsIsRefusedWithNoImportableRows()
    {
        var csv = new StringBuilder("mac,user,password\n");
        for (var i = 1; i <= 11; i++)
            csv.Append($"aa:bb:cc:00:00:{i:x2},admin,pw\n");
        var preview = WithLimits(new CredentialListLimits { MaxRows = 10 }).Parse(csv.ToString());

        Assert.Empty(preview.Rows);
        Assert.False(preview.IsImportable);
        Assert.Equal("The file has more than 10 rows; split it into smaller files.", Assert.Single(preview.FileErrors));
    }

    [Fact]
    public void TwentyThousandRowsAreAcceptedByDefault()
    {
        var csv = new StringBuilder("mac,user,password\n");
        for (var i = 1; i <= 20_000; i++)
            csv.Append($"aa:bb:cc:00:{i >> 8:x2}:{i & 0xFF:x2},admin,pw{i}\n");
        var preview = _parser.Parse(csv.ToString());
        Assert.True(preview.IsImportable);
        Assert.Equal(20_000, preview.Rows.Count);
    }

    [Theory]
    [InlineData("", "The file is empty")]
    [InlineData("mac,user\naa:bb:cc:00:00:01,admin\n", "no password column")]
    [InlineData("mac,user,password,bmc_mac\n", "names the BMC MAC (bmc_mac) column more than once")]
    [InlineData("aa:bb:cc:00:00:01,admin,pw\n", "looks like data, not a header")]
    [InlineData("mac,user,password\n", "has a header but no credential rows")]
    public void FileLevelProblemsRefuseTheWholeFile(string csv, string expected)
    {
        var preview = _parser.Parse(csv);
        Assert.False(preview.IsImportable);
        Assert.Contains(expected, Assert.Single(preview.FileErrors));
    }

    [Fact]
    public void UnknownColumnsAreIgnoredWithAWarning()
    {
        var preview = _parser.Parse("mac,user,password,rack\naa:bb:cc:00:00:01,admin,pw,R4\n");
        Assert.True(preview.IsImportable);
        Assert.Equal(["Column 'rack' is not recognised and will be ignored."], preview.FileWarnings);
    }

    [Fact]
    public void ParseReadsTheJsonForm()
    {
        var json = """
            [
              { "bmc_mac": "AA-BB-CC-00-00-01", "username": "admin", "password": "p,\"w", "serial": 12345 },
              {
                "mac": "aabbcc000002", "user": "root", "password": "", "vendor": "HPE"
              },
              { "mac": "nope", "user": "root", "password": "x", "extra": true }
            ]
            """;
        var preview = _parser.Parse(json, "list.json");

        Assert.Equal(CredentialListFormat.Json, preview.Format);
        Assert.False(preview.IsImportable);
        Assert.Equal([2, 3, 6], preview.Rows.Select(r => r.LineNumber));
        Assert.True(preview.Rows[0].IsOk);
        Assert.Equal("p,\"w", preview.Rows[0].Password);
        Assert.Equal("12345", preview.Rows[0].Serial);
        Assert.Equal(["Password is empty."], preview.Rows[1].Errors);
        Assert.StartsWith("Bad MAC:", preview.Rows[2].Errors[0]);
        Assert.Contains("Field 'extra' is not recognised and will be ignored.", preview.FileWarnings);
    }

    [Fact]
    public void JsonIsDetectedFromContentWithoutAFileName() =>
        Assert.Equal(CredentialListFormat.Json, _parser.Parse("""[{"mac":"aa:bb:cc:00:00:01","user":"a","password":"b"}]""").Format);

    [Fact]
    public void MalformedJsonIsRefusedWithItsPosition()
    {
        var preview = _parser.Parse("[\n{\"mac\": \"aa:bb:cc:00:00:01\",\n\"user\": }]", "list.json");
        Assert.Contains("not valid JSON (line 3", Assert.Single(preview.FileErrors));
    }

    [Fact]
    public void JsonFieldOfWrongTypeIsARowError() =>
        Assert.Contains("Field 'password' must be a string, not Object.",
            Assert.Single(_parser.Parse("""[{"mac":"aa:bb:cc:00:00:01","user":"a","password":{"x":1}}]""").Rows).Errors);

    [Fact]
    public void JsonDuplicatesNameTheOtherRowEvenWhenTheFileIsOneLine()
    {
        var oneLine = _parser.Parse("""[{"mac":"aa:bb:cc:00:00:01","user":"a","password":"b"},{"mac":"aa:bb:cc:00:00:01","user":"c","password":"d"}]""");
        var pretty = _parser.Parse("[\n  {\"mac\":\"aa:bb:cc:00:00:01\",\"user\":\"a\",\"password\":\"b\"},\n\n  {\"mac\":\"aa:bb:cc:00:00:01\",\"user\":\"c\",\"password\":\"d\"}\n]");

        Assert.Contains("Duplicate MAC aa:bb:cc:00:00:01: also on item 2 (line 1).", oneLine.Rows[0].Errors);
        Assert.Contains("Duplicate MAC aa:bb:cc:00:00:01: also on item 1 (line 1).", oneLine.Rows[1].Errors);
        Assert.Equal([2, 4], pretty.Rows.Select(r => r.LineNumber));
        Assert.Contains("Duplicate MAC aa:bb:cc:00:00:01: also on item 2 (line 4).", pretty.Rows[0].Errors);
    }

    [Fact]
    public void AJsonRowListsEveryInvalidFieldNotOnlyTheFirst()
    {
        var row = Assert.Single(_parser.Parse("""[{"mac":"nope","user":"ro\u0000ot","password":{"x":1},"serial":"S\u0007N"}]""").Rows);

        Assert.Contains(row.Errors, e => e.StartsWith("Bad MAC:", StringComparison.Ordinal));
        Assert.Contains("Field 'password' must be a string, not Object.", row.Errors);
        Assert.Contains("Username contains a control character (U+0000 at position 3); remove it.", row.Errors);
        Assert.Contains("Serial contains a control character (U+0007 at position 2); remove it.", row.Errors);
    }

    [Fact]
    public void ANulByteInACsvFieldIsARowErrorNotAFailedImport()
    {
        var preview = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,ad\0min,pw\naa:bb:cc:00:00:02,admin,p\0w\n");

        Assert.False(preview.IsImportable);
        Assert.Contains("Username contains a control character (U+0000 at position 3); remove it.", preview.Rows[0].Errors);
        Assert.Equal(["Password contains a control character; remove it."], preview.Rows[1].Errors);
    }

    [Fact]
    public void ExistingEntriesConflictUnlessReplaceIsChosen()
    {
        var preview = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin,pw\naa:bb:cc:00:00:02,admin,pw\n");
        var existing = new HashSet<MacAddress> { MacAddress.Parse("aa:bb:cc:00:00:02") };

        var refused = preview.WithExistingEntries(existing, replace: false);
        Assert.False(refused.IsImportable);
        Assert.Contains("already exists", Assert.Single(refused.Rows[1].Errors));
        Assert.True(refused.Rows[0].IsOk);

        var replacing = preview.WithExistingEntries(existing, replace: true);
        Assert.True(replacing.IsImportable);
        Assert.True(replacing.Rows[1].ReplacesExisting);
        Assert.False(replacing.Rows[0].ReplacesExisting);
    }

    [Fact]
    public void PasswordsNeverAppearInToStringOrJson()
    {
        var preview = _parser.Parse("mac,user,password\naa:bb:cc:00:00:01,admin,Sup3rS3cret\n");
        var row = preview.Rows[0];
        Assert.DoesNotContain("Sup3rS3cret", row.ToString());
        Assert.DoesNotContain("Sup3rS3cret", preview.ToString());
        Assert.DoesNotContain("Sup3rS3cret", JsonSerializer.Serialize(preview));
        Assert.Equal("Sup3rS3cret", row.Password);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
