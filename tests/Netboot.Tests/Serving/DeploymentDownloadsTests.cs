using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;
using Portal.TestSupport;

namespace Portal.Netboot.Tests.Serving;

/// <summary>
/// A deployment's boot files (/netboot/files/{token}/…) on the real Portal host: each download lands on
/// that deployment's timeline with its size and range, and one that starts but does not finish is a warning.
/// </summary>
public sealed class DeploymentDownloadsTests : IAsyncLifetime
{
    private const string Mac = "52:54:00:dd:00:01";
    private const int KernelSize = 48 << 20; // larger than any socket buffer: a reader that stops really stops the download
    private PortalHost portal = null!;
    private long deploymentId;
    private string token = "";

    public async Task InitializeAsync()
    {
        portal = await PortalHost.StartAsync(root =>
        {
            Directory.CreateDirectory(Path.Combine(root, "lab-installer"));
            using (var kernel = File.Create(Path.Combine(root, "lab-installer", "vmlinuz"))) kernel.SetLength(KernelSize);
            File.WriteAllBytes(Path.Combine(root, "lab-installer", "initrd.img"), new byte[3000]);
        });
        var machineId = await portal.CreateMachineAsync(Mac, Guid.NewGuid(), "SN-DL-1");
        (deploymentId, token) = await portal.StartDeploymentAsync(machineId, new Dictionary<string, string>());
        // The script binds the token to this address and names the files by it.
        var script = await Client().GetStringAsync($"/netboot/machine.ipxe?mac={Mac}&platform=pcbios");
        Assert.Contains($"/netboot/files/{token}/lab-installer/vmlinuz", script);
    }

    public async Task DisposeAsync() => await portal.DisposeAsync();

    private HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{portal.Port}") };

    private Task<List<DeploymentEvent>> DownloadsAsync() => portal.WithDbAsync(db =>
        db.DeploymentEvents.AsNoTracking().Where(e => e.DeploymentId == deploymentId && e.Phase.StartsWith("download")).OrderBy(e => e.At).ToListAsync());

    [Fact]
    public async Task AWholeFileAndARangeAreOnTheTimelineWithTheirSizes()
    {
        using var client = Client();
        var initrd = await client.GetByteArrayAsync($"/netboot/files/{token}/lab-installer/initrd.img");
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/netboot/files/{token}/lab-installer/vmlinuz") { Headers = { Range = new RangeHeaderValue(0, 99) } };
        using var part = await client.SendAsync(range);

        Assert.Equal(3000, initrd.Length);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(100, (await part.Content.ReadAsByteArrayAsync()).Length);
        // Recorded once the response is out: the client may read it a moment before.
        await Eventually.TrueAsync(async () => (await DownloadsAsync()).Count == 2, "both downloads are recorded");
        var events = (await DownloadsAsync()).OrderBy(e => e.Message).ToList();
        Assert.Equal(["download", "download"], events.Select(e => e.Phase));
        Assert.StartsWith("Sent initrd.img (2.9 KiB) to 127.0.0.1 in ", events[0].Message);
        Assert.StartsWith($"Sent vmlinuz (100 B, bytes 0-99/{KernelSize} of 48 MiB) to 127.0.0.1 in ", events[1].Message);
    }

    [Fact]
    public async Task ADownloadThatStopsHalfwayIsAWarningOnTheTimeline()
    {
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, portal.Port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /netboot/files/{token}/lab-installer/vmlinuz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            var buffer = new byte[64 * 1024];
            var received = 0;
            while (received < 1 << 20) received += await socket.ReceiveAsync(buffer); // a MiB, then the firmware is gone
        }

        await Eventually.TrueAsync(async () => (await DownloadsAsync()).Count == 1, "the broken download is recorded");
        var warning = (await DownloadsAsync()).Single();
        Assert.Equal("download-incomplete", warning.Phase);
        Assert.StartsWith("The download of vmlinuz (48 MiB) by 127.0.0.1 did not finish: the connection closed after ", warning.Message);
    }

    [Fact]
    public async Task AnUnknownTokenOrFileIsNotFoundAndRecordsNothing()
    {
        using var client = Client();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/netboot/files/{new string('x', 24)}/lab-installer/vmlinuz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/netboot/files/{token}/lab-installer/missing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/netboot/files/{token}/../../etc/passwd")).StatusCode); // sent as /netboot/etc/passwd
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/netboot/files/{token}/lab-installer/..%2F..%2F..%2Fetc%2Fpasswd")).StatusCode);
        Assert.Empty(await DownloadsAsync());
    }
}
