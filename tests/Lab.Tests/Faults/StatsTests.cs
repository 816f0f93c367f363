using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Faults;

public sealed class StatsTests
{
    private const string Range = "127.0.25.1";

    [Fact]
    public async Task ConcurrencyCounterSeesEveryParallelRequest()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc);
        bmc.Faults = new FaultSettings { LatencyMs = 5000 }; // long enough for all to overlap, even on a stalled machine
        // A first round opens the twelve TLS connections, so the measured round is not paced by handshakes.
        foreach (var r in await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.GetAsync("/redfish/v1")))) r.Dispose();
        bmc.ResetStats();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.GetAsync("/redfish/v1")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var stats = bmc.Stats;
        Assert.Equal(12, stats.Requests);
        Assert.Equal(12, stats.MaxInFlight);
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(0, lab.Fleet.Bmcs[1].Stats.Requests);
    }

    [Fact]
    public async Task AClientLimitedToTwoRequestsIsSeenAsTwo()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc);
        bmc.Faults = new FaultSettings { LatencyMs = 100 };
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            await gate.WaitAsync();
            try { (await client.GetAsync("/redfish/v1/Systems")).Dispose(); }
            finally { gate.Release(); }
        }));
        Assert.Equal(20, bmc.Stats.Requests);
        Assert.Equal(2, bmc.Stats.MaxInFlight);
    }

    [Fact]
    public async Task ResettingStatsThroughTheControlApiZeroesThem()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[1];
        (await lab.Client(bmc).GetAsync("/redfish/v1")).Dispose();
        var control = lab.ControlClient();
        var stats = await control.GetFromJsonAsync<JsonObject>($"lab/bmcs/{bmc.Index}/stats");
        Assert.Equal(1, stats!["requests"]!.GetValue<long>());

        using (var reset = await control.PostAsync($"lab/bmcs/{bmc.Index}/stats/reset", null)) Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(new BmcStats(0, 0, 0), bmc.Stats);
        (await lab.Client(bmc).GetAsync("/redfish/v1")).Dispose();
        using (await control.PostAsync("lab/stats/reset", null)) { }
        Assert.Equal(0, bmc.Stats.Requests);
    }
}
