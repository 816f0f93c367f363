using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>Whatever firmware or a stranger sends: a 4xx, no stack trace, and nothing changes.</summary>
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

    private Task<int> SightingCountAsync() => factory.WithDbAsync(db => db.NetbootSightings.CountAsync());
}
