using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>
/// Whatever firmware or a stranger sends to the anonymous routes (netboot, phone-home, boot files):
/// a 4xx, no stack trace, and nothing changes — garbage queries, bodies, methods, tokens and ranges.
/// </summary>
public sealed class BadInputTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    public static TheoryData<string> BadQueries => new()
    {
        "",
        "?mac=",
        "?mac=not-a-mac",
        "?mac=12:44:6a:3b:04",
        "?mac=12:44:6a:3b:04:1g",
        "?mac=12:44:6a:3b:04:11&mac=12:44:6a:3b:04:12",
        "?mac=00:00:00:00:00:00",
        "?uuid=11111111-2222-3333-4444",
        "?mac=12:44:6a:3b:04:11&evil=1",
        "?mac=12:44:6a:3b:04:11&platform=<script>",
        "?mac=12:44:6a:3b:04:11&buildarch=x86_64;reboot",
        "?mac=12:44:6a:3b:04:11&serial=SN%0A%23!ipxe",
        "?mac=12:44:6a:3b:04:11&serial=" + new string('S', 100),
        "?mac=12:44:6a:3b:04:11&junk=" + new string('x', 5000),
        "?%ff%fe=%00",
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task AGarbageMachineScriptQueryIsRefusedWithoutAStackTraceOrASighting(string query)
    {
        await factory.FlushSightingsAsync();
        var before = await SightingCountAsync();

        var response = await factory.CreateClient().GetAsync("/netboot/machine.ipxe" + query);

        Assert.InRange((int)response.StatusCode, 400, 499);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("<html", body, StringComparison.OrdinalIgnoreCase);
        await factory.FlushSightingsAsync();
        Assert.Equal(before, await SightingCountAsync());
    }

    public static TheoryData<string, string, HttpStatusCode> BadBodies => new()
    {
        { "application/json", "", HttpStatusCode.BadRequest },
        { "application/json", "{", HttpStatusCode.BadRequest },
        { "application/json", "[1,2]", HttpStatusCode.BadRequest },
        { "application/json", """{"message":"no phase"}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"rebooting","message":"x"}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"progress","message":"x","percent":101}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"done","message":"x","extra":1}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"done","message":"x","phase":"failed"}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"progress","message":"x","facts":{"memory_bytes":"lots"}}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"progress","message":"nul \u0000 here"}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"progress","message":"x","facts":{"cpu_model":"Xeon\u0007"}}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"progress","message":"x","facts":{"rack":{"slot":"a\u0000b"}}}""", HttpStatusCode.BadRequest },
        { "application/json", """{"phase":"progress","message":"x","facts":{"r\u0000ack":"a"}}""", HttpStatusCode.BadRequest },
        { "text/plain", """{"phase":"done","message":"x"}""", HttpStatusCode.UnsupportedMediaType },
        { "application/json", """{"phase":"progress","message":" """ + new string('x', 70_000) + "\"}", HttpStatusCode.RequestEntityTooLarge },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task AMalformedOrOversizedEventIsRefusedAndTheTimelineDoesNotChange(string contentType, string body, HttpStatusCode expected)
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId);
        var client = factory.CreateClient();
        await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        await client.InstallerStartsAsync(token);
        var before = await factory.TimelineAsync(deploymentId);

        var response = await client.PostAsync($"/netboot/events/{token}",
            new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(expected, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", text);
        Assert.DoesNotContain("   at ", text);
        Assert.Equal(before, await factory.TimelineAsync(deploymentId));
        Assert.True((await factory.DeploymentAsync(deploymentId)).IsActive);
    }

    [Fact]
    public async Task BootFilesAreServedWithRangesAndNothingOutsideTheFolderIsReachable()
    {
        var root = Directory.CreateTempSubdirectory("portal-boot-files-test-").FullName;
        var served = Directory.CreateDirectory(Path.Combine(root, "served", "lab-installer")).FullName;
        await File.WriteAllTextAsync(Path.Combine(served, "vmlinuz"), "kernel-bytes-0123456789");
        await File.WriteAllTextAsync(Path.Combine(served, ".hidden"), "secret");
        await File.WriteAllTextAsync(Path.Combine(root, "outside.txt"), "secret");
        try
        {
            using var host = factory.WithWebHostBuilder(b => b.UseSetting("Netboot:BootFilesDirectory", Path.Combine(root, "served")));
            var client = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

            Assert.Equal("kernel-bytes-0123456789", await client.GetStringAsync("/boot-files/lab-installer/vmlinuz"));
            var range = new HttpRequestMessage(HttpMethod.Get, "/boot-files/lab-installer/vmlinuz");
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 5);
            var partial = await client.SendAsync(range);
            Assert.Equal((HttpStatusCode.PartialContent, "kernel"), (partial.StatusCode, await partial.Content.ReadAsStringAsync()));
            foreach (var path in new[] { "/boot-files/lab-installer/.hidden", "/boot-files/lab-installer/missing", "/boot-files/lab-installer", "/boot-files/..%2Foutside.txt", "/boot-files/lab-installer%2F..%2F..%2Foutside.txt" })
            {
                var response = await client.GetAsync(path);
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} gave {(int)response.StatusCode}");
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    public static TheoryData<string, string> WrongMethods => new()
    {
        { "POST", "/boot.ipxe" },
        { "PUT", "/netboot/machine.ipxe?mac=12:44:6a:3b:04:11" },
        { "DELETE", "/netboot/config/{token}" },
        { "POST", "/netboot/config/{token}" },
        { "GET", "/netboot/events/{token}" },
        { "PUT", "/netboot/events/{token}" },
        { "POST", "/boot-files/lab-installer/vmlinuz" },
        { "HEAD", "/netboot/events/{token}" },
    };

    [Theory]
    [MemberData(nameof(WrongMethods))]
    public async Task AWrongMethodOnAnAnonymousRouteIsA4xxAndChangesNothing(string method, string path)
    {
        var (mac, uuid, serial) = NewIdentity();
        var (deploymentId, token) = await factory.StartDeploymentAsync(await factory.CreateMachineAsync(mac, uuid, serial));
        var client = factory.CreateClient();
        await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        await client.InstallerStartsAsync(token);
        var before = await WrittenAsync(deploymentId);

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{token}", token))
        {
            Content = method is "GET" or "DELETE" ? null : new StringContent("""{"phase":"done","message":"x"}""", Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(before, await WrittenAsync(deploymentId));
        Assert.True((await factory.DeploymentAsync(deploymentId)).IsActive);
    }

    public static TheoryData<string> BadTokens => new()
    {
        new string('a', 10_000),
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%252F..%252Fetc%252Fpasswd",
        "%C0%AE%C0%AE%C0%AFetc%C0%AFpasswd",
        "tok?en=1&token=2",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task ATraversalOrOversizedTokenIsA4xxAndChangesNothing(string token)
    {
        var (mac, uuid, serial) = NewIdentity();
        var (deploymentId, _) = await factory.StartDeploymentAsync(await factory.CreateMachineAsync(mac, uuid, serial));
        var client = factory.CreateClient();
        var before = await WrittenAsync(deploymentId);

        foreach (var path in new[] { $"/netboot/config/{token}", $"/netboot/config/{token}/user-data", $"/netboot/config/{token}/meta-data" })
            Assert.InRange((int)(await client.GetAsync(path)).StatusCode, 400, 499);
        Assert.InRange((int)(await client.PostEventAsync(token, """{"phase":"done","message":"x"}""")).StatusCode, 400, 499);

        Assert.Equal(before, await WrittenAsync(deploymentId));
    }

    [Fact]
    public async Task MalformedRangesOnABootFileNeverCauseA5xx()
    {
        var root = Directory.CreateTempSubdirectory("portal-boot-files-ranges-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "k"));
        await File.WriteAllTextAsync(Path.Combine(root, "k", "vmlinuz"), "kernel-bytes-0123456789");
        try
        {
            using var host = factory.WithWebHostBuilder(b => b.UseSetting("Netboot:BootFilesDirectory", root));
            var client = host.CreateClient();
            var many = "bytes=" + string.Join(',', Enumerable.Repeat("0-1", 500));
            foreach (var range in new[] { "bytes=abc", "bytes=5-2", "bytes=999999-", "bytes=-0", "items=0-5", "bytes=--1", "bytes=0-1,", many, "bytes=" + new string('9', 400) + "-" })
            {
                var request = new HttpRequestMessage(HttpMethod.Get, "/boot-files/k/vmlinuz");
                request.Headers.TryAddWithoutValidation("Range", range);
                var status = (int)(await client.SendAsync(request)).StatusCode;
                // An unsatisfiable range is 416; one that does not parse is ignored (RFC 9110 §14.2) and the whole file is sent.
                Assert.True(status is 200 or 206 or 416, $"Range: {range[..Math.Min(range.Length, 40)]} gave {status}");
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>What an anonymous request could have written: the run's timeline and refusals, sightings, the audit log.</summary>
    private Task<(int Events, int Refused, int Sightings, int Audit)> WrittenAsync(long deploymentId) => factory.WithDbAsync(async db =>
    {
        await factory.FlushSightingsAsync();
        return (await db.DeploymentEvents.CountAsync(e => e.DeploymentId == deploymentId),
            await db.Deployments.Where(d => d.Id == deploymentId).Select(d => d.RefusedTokenUses).SingleAsync(),
            await db.NetbootSightings.CountAsync(), await db.AuditEvents.CountAsync());
    });

    private Task<int> SightingCountAsync() => factory.WithDbAsync(db => db.NetbootSightings.CountAsync());
}
