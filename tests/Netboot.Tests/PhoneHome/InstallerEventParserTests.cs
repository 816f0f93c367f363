using System.Text;
using Microsoft.AspNetCore.Http;
using Portal.Netboot.Inputs;
using Portal.Netboot.PhoneHome;

namespace Portal.Netboot.Tests.PhoneHome;

public sealed class InstallerEventParserTests
{
    [Fact]
    public void PreEventWithFactsIsParsed()
    {
        var result = InstallerEventParser.Parse("""
            {"phase":"pre","message":"started","facts":{"cpu_model":"QEMU Virtual CPU version 2.5+","cpu_threads":1,"memory_bytes":492847104,
             "disks":[{"name":"vda","size_bytes":1073741824}],"nics":[{"name":"eth0","mac":"12:44:6A:3B:04:11"}],"bios_vendor":"SeaBIOS"}}
            """);
        Assert.True(result.IsValid, result.Detail);
        var e = result.Event!;
        Assert.Equal(InstallerPhase.Pre, e.Phase);
        Assert.Equal("started", e.Message);
        Assert.Null(e.Percent);
        Assert.Equal("QEMU Virtual CPU version 2.5+", e.Facts!.CpuModel);
        Assert.Equal(1, e.Facts.CpuThreads);
        Assert.Equal(492847104, e.Facts.MemoryBytes);
        Assert.Equal([new DiskFact("vda", 1073741824)], e.Facts.Disks);
        Assert.Equal([new NicFact("eth0", "12:44:6a:3b:04:11")], e.Facts.Nics);
        Assert.Equal("SeaBIOS", e.ExtraFacts!["bios_vendor"].GetString());
    }

    [Theory]
    [InlineData("""{"phase":"progress","percent":50}""", InstallerPhase.Progress, 50)]
    [InlineData("""{"phase":"done","message":"ok","percent":100}""", InstallerPhase.Done, 100)]
    [InlineData("""{"phase":"failed","message":"disk full","percent":0,"facts":null}""", InstallerPhase.Failed, 0)]
    [InlineData("""{"phase":"log","message":"x"}""", InstallerPhase.Log, null)]
    [InlineData("""{"phase":"post"}""", InstallerPhase.Post, null)]
    public void EveryPhaseIsAccepted(string body, InstallerPhase phase, int? percent)
    {
        var result = InstallerEventParser.Parse(body);
        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(phase, result.Event!.Phase);
        Assert.Equal(percent, result.Event.Percent);
    }

    [Theory]
    [InlineData("phase=pre", InstallerEventError.NotJson, "body is not valid JSON")]
    [InlineData("{\"phase\":\"pre\"", InstallerEventError.NotJson, "body is not valid JSON")]
    [InlineData("", InstallerEventError.NotJson, "body is not valid JSON")]
    [InlineData("[1,2]", InstallerEventError.NotAnObject, "body must be a JSON object, got an array")]
    [InlineData("""{"message":"hi"}""", InstallerEventError.MissingField, "field 'phase' is required")]
    [InlineData("""{"phase":"installing"}""", InstallerEventError.UnknownPhase, "phase 'installing' is not one of pre, progress, post, done, failed, log")]
    [InlineData("""{"phase":"PRE"}""", InstallerEventError.UnknownPhase, "phase 'PRE' is not one of")]
    [InlineData("""{"phase":3}""", InstallerEventError.WrongType, "phase must be a string, got the number 3")]
    [InlineData("""{"phase":"progress","percent":"50"}""", InstallerEventError.WrongType, "percent must be a whole number, got a string")]
    [InlineData("""{"phase":"progress","percent":50.5}""", InstallerEventError.WrongType, "percent must be a whole number, got the number 50.5")]
    [InlineData("""{"phase":"progress","percent":101}""", InstallerEventError.PercentOutOfRange, "percent 101 is outside 0-100")]
    [InlineData("""{"phase":"progress","percent":-1}""", InstallerEventError.PercentOutOfRange, "percent -1 is outside 0-100")]
    [InlineData("""{"phase":"pre","message":["a"]}""", InstallerEventError.WrongType, "message must be a string, got an array")]
    [InlineData("""{"phase":"pre","percnt":5}""", InstallerEventError.UnknownField, "unknown field 'percnt'")]
    [InlineData("""{"phase":"pre","phase":"done"}""", InstallerEventError.DuplicateField, "field 'phase' appears twice")]
    [InlineData("""{"phase":"pre","facts":"lots"}""", InstallerEventError.WrongType, "facts must be an object, got a string")]
    [InlineData("""{"phase":"pre","facts":{"memory_bytes":-5}}""", InstallerEventError.WrongType, "facts.memory_bytes must be a whole number of bytes >= 0")]
    [InlineData("""{"phase":"pre","facts":{"cpu_threads":"8"}}""", InstallerEventError.WrongType, "facts.cpu_threads must be a whole number >= 0, got a string")]
    [InlineData("""{"phase":"pre","facts":{"disks":{"name":"sda"}}}""", InstallerEventError.WrongType, "facts.disks must be an array, got an object")]
    [InlineData("""{"phase":"pre","facts":{"disks":[{"size_bytes":1}]}}""", InstallerEventError.MissingField, "field 'facts.disks[0].name' is required")]
    [InlineData("""{"phase":"pre","facts":{"nics":[{"name":"eth0","mac":"nope"}]}}""", InstallerEventError.WrongType, "facts.nics[0].mac 'nope' is not a MAC address")]
    [InlineData("""{"phase":"pre","facts":{"nics":[{"name":"eth0","mac":"12:44:6a:3b:04:11","ip":"1"}]}}""", InstallerEventError.UnknownField, "unknown field 'facts.nics[0].ip'")]
    public void BadBodiesAreRejectedWithASpecificError(string body, InstallerEventError error, string detail)
    {
        var result = InstallerEventParser.Parse(body);
        Assert.False(result.IsValid);
        Assert.Equal(error, result.Error);
        Assert.StartsWith(detail, result.Detail);
        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public void OverlongMessageIsRejected()
    {
        var result = InstallerEventParser.Parse($$"""{"phase":"log","message":"{{new string('x', 4001)}}"}""");
        Assert.Equal(InstallerEventError.TooLong, result.Error);
    }

    [Fact]
    public void DeeplyNestedFactsAreNotJsonWeAccept()
    {
        var result = InstallerEventParser.Parse("""{"phase":"pre","facts":{"x":[[[[[[[[[[1]]]]]]]]]]}}""");
        Assert.Equal(InstallerEventError.NotJson, result.Error);
    }

    [Fact]
    public void BodyOverTheLimitIsRejectedAsTooLarge()
    {
        var body = $$"""{"phase":"log","message":"{{new string('x', 70_000)}}"}""";
        var result = InstallerEventParser.Parse(body);
        Assert.Equal(InstallerEventError.TooLarge, result.Error);
        Assert.Equal(413, result.StatusCode);
    }

    [Fact]
    public async Task RequestOverTheLimitIsRejectedWithoutTrustingContentLength()
    {
        var context = Request("application/json", $$"""{"phase":"log","message":"{{new string('x', 70_000)}}"}""");
        context.Request.ContentLength = null;
        var result = await InstallerEventParser.ReadAsync(context.Request);
        Assert.Equal(InstallerEventError.TooLarge, result.Error);
    }

    [Fact]
    public async Task RequestWithDeclaredOversizedLengthIsRejectedBeforeReading()
    {
        var context = Request("application/json", "{}");
        context.Request.ContentLength = 10_000_000;
        Assert.Equal(InstallerEventError.TooLarge, (await InstallerEventParser.ReadAsync(context.Request)).Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    public async Task RequestThatIsNotDeclaredJsonIsRejected(string? contentType)
    {
        var result = await InstallerEventParser.ReadAsync(Request(contentType, """{"phase":"pre"}""").Request);
        Assert.Equal(InstallerEventError.UnsupportedContentType, result.Error);
        Assert.Equal(415, result.StatusCode);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    public async Task JsonRequestIsRead(string contentType)
    {
        var result = await InstallerEventParser.ReadAsync(Request(contentType, """{"phase":"done","percent":100}""").Request);
        Assert.True(result.IsValid, result.Detail);
        Assert.True(result.Event!.IsFinal);
    }

    private static DefaultHttpContext Request(string? contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        return context;
    }
}
