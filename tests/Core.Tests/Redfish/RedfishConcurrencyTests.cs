using Portal.Core.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Redfish;

public sealed class ConcurrencyLab() : LabFixture(new LabOptions { FirstAddress = "127.0.45.1", BmcCount = 2, Seed = 45 });

public sealed class RedfishConcurrencyTests(ConcurrencyLab fixture) : IClassFixture<ConcurrencyLab>
{
    private readonly LabFleet _lab = fixture.Lab;

    [Fact]
    public async Task ManyParallelCallersNeverPutMoreThanTwoRequestsOnOneBmc()
    {
        var bmc = _lab.Bmcs[0];
        var factory = LabClients.Factory();
        bmc.Faults = new FaultSettings { LatencyMs = 20 };
        bmc.ResetStats();
        try
        {
            // 16 independent clients (as 16 jobs would have), each firing 8 reads at once.
            var callers = Enumerable.Range(0, 16).Select(async _ =>
            {
                await using var client = await factory.ConnectAsync(bmc);
                await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetSystemsAsync()));
            });
            await Task.WhenAll(callers);

            var stats = bmc.Stats;
            Assert.True(stats.Requests > 16 * 8, $"only {stats.Requests} requests");
            Assert.Equal(2, stats.MaxInFlight);
        }
        finally
        {
            bmc.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public async Task GlobalLimitCapsRequestsAcrossBmcs()
    {
        var limiter = new RedfishConcurrencyLimiter(Microsoft.Extensions.Options.Options.Create(
            new RedfishOptions { MaxConcurrentRequests = 3, MaxConcurrentRequestsPerBmc = 2 }));
        var inFlight = 0;
        var max = 0;
        var perBmcMax = new int[5];
        var perBmc = new int[5];
        await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            var b = i % 5;
            using var slot = await limiter.AcquireAsync($"bmc-{b}:443", CancellationToken.None);
            var now = Interlocked.Increment(ref inFlight);
            var nowBmc = Interlocked.Increment(ref perBmc[b]);
            InterlockedMax(ref max, now);
            InterlockedMax(ref perBmcMax[b], nowBmc);
            await Task.Delay(2);
            Interlocked.Decrement(ref perBmc[b]);
            Interlocked.Decrement(ref inFlight);
        }));

        Assert.Equal(3, max);
        Assert.All(perBmcMax, m => Assert.InRange(m, 1, 2));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
