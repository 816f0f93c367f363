using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Faults;

public sealed class FaultTests
{
    private const string Range = "127.0.24.1";

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task ErrorRateOneAnswersEveryRequestWithTheErrorStatus(int status)
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        bmc.Faults = new FaultSettings { ErrorRate = 1, ErrorStatusCode = status };
        using var response = await lab.Client(bmc).GetAsync("/redfish/v1/Systems");
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        await response.RedfishMessageIdAsync();
        if (status == 503) Assert.NotNull(response.Headers.RetryAfter);
        // Other BMCs are unaffected.
        using var other = await lab.Client(lab.Fleet.Bmcs[1]).GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task LatencyDelaysEveryAnswer()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc);
        (await client.GetAsync("/redfish/v1")).Dispose(); // connection and TLS set up first
        bmc.Faults = new FaultSettings { LatencyMs = 400 };
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("/redfish/v1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(clock.ElapsedMilliseconds, 380, 60_000); // the injected latency is a floor; the ceiling only catches a hang
    }

    [Fact]
    public async Task TimeoutHangsUntilTheClientGivesUp()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        bmc.Faults = new FaultSettings { TimeoutRate = 1 };
        var client = lab.Client(bmc, timeout: TimeSpan.FromMilliseconds(700));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.GetAsync("/redfish/v1/Systems"));
        Assert.True(await HttpExtensions.EventuallyAsync(() => bmc.Stats.InFlight == 0, TimeSpan.FromSeconds(5)),
            "the hung request should end when the client disconnects");
    }

    [Fact]
    public async Task MalformedJsonFaultSendsAnUnparsableBody()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        bmc.Faults = new FaultSettings { MalformedJsonRate = 1 };
        using var response = await lab.Client(bmc).GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public async Task ForcedAuthFailureRejectsTheRightCredentials()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        bmc.Faults = new FaultSettings { FailAuth = true };
        var client = lab.Client(bmc);
        using var basic = await client.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        using var login = await client.PostJsonAsync("/redfish/v1/SessionService/Sessions", new { UserName = bmc.Username, Password = bmc.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        using var root = await client.GetAsync("/redfish/v1");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode); // the service root needs no credentials
    }

    [Fact]
    public async Task FaultsSetThroughTheControlApiFire()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[2];
        var control = lab.ControlClient();
        using (var put = await control.PutAsJsonAsync($"lab/bmcs/{bmc.Mac}/faults", new { errorRate = 1.0, errorStatusCode = 503 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        Assert.Equal(1.0, bmc.Faults.ErrorRate);
        using (var response = await lab.Client(bmc).GetAsync("/redfish/v1"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        (await control.DeleteAsync($"lab/bmcs/{bmc.Address}/faults")).Dispose();
        using var healed = await lab.Client(bmc).GetAsync("/redfish/v1");
        Assert.Equal(HttpStatusCode.OK, healed.StatusCode);
    }

    [Fact]
    public async Task ControlApiRejectsImpossibleFaults()
    {
        await using var lab = await TestLab.StartAsync(Range);
        using var put = await lab.ControlClient().PutAsJsonAsync("lab/bmcs/0/faults", new { errorRate = 2.0 });
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact]
    public async Task DefaultFaultsApplyToEveryBmcFromTheStart()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { BmcCount = 3, DefaultFaults = new FaultSettings { ErrorRate = 1 } });
        foreach (var bmc in lab.Fleet.Bmcs)
        {
            using var response = await lab.Client(bmc).GetAsync("/redfish/v1");
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }
    }
}
