using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Netboot.Ipxe;
using Portal.Netboot.Serving;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.Netboot.Tests.Serving;

/// <summary>
/// Floods against the real Portal host: random MACs leave the sightings table bounded while known
/// machines and /healthz are still answered, and one address over its limit is refused alone.
/// Requests come from several loopback addresses (127.x.y.z all reach the host's 127.0.0.1), so
/// the per-address limiter sees the sources a real network would show it.
/// </summary>
public sealed class FloodTests(FloodTests.Host host, ITestOutputHelper output) : IClassFixture<FloodTests.Host>
{
    private const int MaxSightings = 2_000;
    private const int PermitsPerMinute = 300;
    private const string KnownMac = "0e:00:00:00:00:01";

    public sealed class Host : IAsyncLifetime
    {
        public PortalHost Portal { get; private set; } = null!;

        public async Task InitializeAsync() => Portal = await PortalHost.StartAsync(_ => { }, new Dictionary<string, string>
        {
            ["Netboot:MaxSightings"] = MaxSightings.ToString(),
            ["Netboot:RateLimit:PermitLimit"] = PermitsPerMinute.ToString(),
            ["Netboot:RateLimit:Window"] = "00:01:00",
        });

        public Task DisposeAsync() => Portal.DisposeAsync().AsTask();
    }

    [Fact]
    public async Task TenThousandRandomMacsLeaveTheSightingsBoundedAndKnownMachinesAnswered()
    {
        var portal = host.Portal;
        var machineId = await portal.CreateMachineAsync(KnownMac, Guid.NewGuid(), "SN-FLOOD-1");
        // An admin's link, seen long ago, and an unknown machine seen long ago: the flood pushes out the second only.
        await portal.WithDbAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO "NetbootSightings" ("Key", "Mac", "FirstSeenAt", "LastSeenAt", "Count", "MachineId") VALUES
                ('mac:0e:00:00:00:00:02', '0e:00:00:00:00:02', now() - interval '1 day', now() - interval '1 day', 1, {machineId}),
                ('mac:0e:00:00:00:00:03', '0e:00:00:00:00:03', now() - interval '1 day', now() - interval '1 day', 1, NULL)
            """));
        var directory = portal.Services.GetRequiredService<BootDirectory>();
        await Eventually.TrueAsync(() => directory.Resolve(new BootQuery(KnownMac, null, null, null, null), out _) == BootDirectory.Lookup.Known,
            "the boot directory knows the machine");

        // 50 source addresses, 200 requests each: under the per-address limit, so the flood reaches the sightings.
        var sources = Enumerable.Range(1, 50).Select(i => From(IPAddress.Parse($"127.1.0.{i}"))).ToArray();
        using var probe = From(IPAddress.Loopback);
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var scriptTimes = new List<double>();
        var healthTimes = new List<double>();
        var clock = Stopwatch.StartNew();
        using var flooding = new CancellationTokenSource();
        var probing = Task.Run(async () =>
        {
            while (!flooding.IsCancellationRequested)
            {
                var t = Stopwatch.StartNew();
                var script = await probe.GetStringAsync($"/netboot/machine.ipxe?mac={KnownMac}&platform=efi");
                scriptTimes.Add(t.Elapsed.TotalMilliseconds);
                Assert.Contains($"machine {machineId}", script);
                t.Restart();
                using var health = await probe.GetAsync("/healthz");
                healthTimes.Add(t.Elapsed.TotalMilliseconds);
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
                await Task.Delay(100);
            }
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var mac = string.Join(':', new[] { (byte)0x06 }.Concat(RandomNumberGenerator.GetBytes(5)).Select(b => b.ToString("x2")));
            using var response = await sources[i % sources.Length].GetAsync($"/netboot/machine.ipxe?mac={mac}&platform=pcbios", ct);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
        });
        var floodTime = clock.Elapsed;
        var unlinkedRightAfter = await CountAsync(linked: false);
        flooding.Cancel();
        await probing;
        await portal.Services.GetRequiredService<SightingRecorder>().FlushAsync();
        var (unlinked, linked) = (await CountAsync(linked: false), await CountAsync(linked: true));
        var oldUnknownKept = await portal.WithDbAsync(db => db.NetbootSightings.AnyAsync(s => s.Key == "mac:0e:00:00:00:00:03"));

        output.WriteLine($"flood: 10,000 requests, random MACs, from {sources.Length} addresses, 32 at a time, in {floodTime.TotalSeconds:F1} s " +
                         $"({10_000 / floodTime.TotalSeconds:F0}/s); answers: {string.Join(", ", statuses.Select(s => $"{(int)s.Key}×{s.Value}"))}");
        output.WriteLine($"sightings: {unlinkedRightAfter} unlinked right after the flood, {unlinked} unlinked and {linked} linked after the last write (bound {MaxSightings})");
        output.WriteLine($"known machine's script during the flood: {scriptTimes.Count} asked, median {Median(scriptTimes):F1} ms, max {scriptTimes.DefaultIfEmpty().Max():F1} ms");
        output.WriteLine($"/healthz during the flood: {healthTimes.Count} asked, median {Median(healthTimes):F1} ms, max {healthTimes.DefaultIfEmpty().Max():F1} ms");

        Assert.Equal(10_000, statuses.GetValueOrDefault(HttpStatusCode.OK));
        Assert.InRange(unlinked, 1, MaxSightings);
        Assert.Equal(1, linked);
        Assert.False(oldUnknownKept, "the least recently seen unlinked sighting was deleted");
        Assert.NotEmpty(scriptTimes);
        // And after it.
        Assert.Contains($"machine {machineId}", await probe.GetStringAsync($"/netboot/machine.ipxe?mac={KnownMac}&platform=efi"));
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/healthz")).StatusCode);
        foreach (var source in sources) source.Dispose();
    }

    [Fact]
    public async Task OneAddressOverItsLimitGets429WhileAnotherAddressIsStillAnswered()
    {
        using var flooder = From(IPAddress.Parse("127.0.0.2"));
        using var neighbour = From(IPAddress.Parse("127.0.0.3"));

        for (var i = 0; i < PermitsPerMinute; i++)
            Assert.Equal(HttpStatusCode.OK, (await flooder.GetAsync("/boot.ipxe")).StatusCode);
        using var refused = await flooder.GetAsync("/netboot/machine.ipxe?mac=0e:00:00:00:00:09");
        using var answered = await neighbour.GetAsync("/boot.ipxe");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("text/plain; charset=utf-8", refused.Content.Headers.ContentType?.ToString());
        Assert.StartsWith("too many requests from 127.0.0.2", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    private Task<int> CountAsync(bool linked) =>
        host.Portal.WithDbAsync(db => db.NetbootSightings.CountAsync(s => (s.MachineId != null) == linked));

    private static double Median(List<double> times) => times.Count == 0 ? 0 : times.Order().ElementAt(times.Count / 2);

    /// <summary>A client whose connections come from <paramref name="source"/> (any 127.x address reaches the host on 127.0.0.1).</summary>
    private HttpClient From(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { BaseAddress = new Uri($"http://127.0.0.1:{host.Portal.Port}") };
}
