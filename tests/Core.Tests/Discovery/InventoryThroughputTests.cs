using System.Diagnostics;
using Portal.Core.Discovery.Inventory;
using Portal.Core.Redfish;
using Portal.Core.Tests.Redfish;
using Portal.Lab;
using Xunit.Abstractions;

namespace Portal.Core.Tests.Discovery;

public sealed class ThroughputLab() : LabFixture(new LabOptions { FirstAddress = "127.0.50.1", BmcCount = 60, Seed = 50 });

/// <summary>
/// Login + full inventory + logout of 60 lab BMCs at once, with and without 20 ms per request:
/// no BMC ever sees more than two requests in flight. The timings are printed for information
/// only; speed targets are checked by the benchmarks (`make bench`), never by unit tests, whose
/// timing depends on whatever else the machine is doing.
/// </summary>
public sealed class InventoryThroughputTests(ThroughputLab fixture, ITestOutputHelper output) : IClassFixture<ThroughputLab>
{
    private const int LatencyMs = 20;

    [Fact]
    public async Task SixtyBmcsInventoriedAtOnceNeverSeeMoreThanTwoRequestsEach()
    {
        var lab = fixture.Lab;
        var options = LabClients.TestOptions();
        var factory = LabClients.Factory(options);

        await RunAsync(lab, factory); // warm-up: JIT, connection setup code paths
        var (withoutLatency, _) = await RunAsync(lab, factory);
        lab.SetFaults(new FaultSettings { LatencyMs = LatencyMs });
        var (withLatency, requests) = await RunAsync(lab, factory);
        lab.SetFaults(FaultSettings.None);

        var ideal = TimeSpan.FromMilliseconds(requests * (double)LatencyMs / options.MaxConcurrentRequests);
        var added = withLatency - withoutLatency;
        output.WriteLine($"{lab.Bmcs.Count} BMCs, {lab.Systems.Count()} systems, {requests} requests: " +
                         $"{withoutLatency.TotalMilliseconds:0} ms without latency, {withLatency.TotalMilliseconds:0} ms with {LatencyMs} ms; " +
                         $"ideal {ideal.TotalMilliseconds:0} ms; added {added.TotalMilliseconds:0} ms = {added / ideal:0.00}x ideal; " +
                         $"max in flight per BMC {lab.Bmcs.Max(b => b.Stats.MaxInFlight)}");

        Assert.All(lab.Bmcs, b => Assert.InRange(b.Stats.MaxInFlight, 1, 2));
    }

    private static async Task<(TimeSpan Elapsed, long Requests)> RunAsync(LabFleet lab, RedfishClientFactory factory)
    {
        var reader = new InventoryReader();
        lab.ResetStats();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(lab.Bmcs.Select(async bmc =>
        {
            await using var client = await factory.ConnectAsync(bmc);
            return await reader.ReadAsync(client);
        }));
        stopwatch.Stop();
        return (stopwatch.Elapsed, lab.Bmcs.Sum(b => b.Stats.Requests));
    }
}
