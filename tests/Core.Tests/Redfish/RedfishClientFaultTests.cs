using System.Diagnostics;
using System.Net;
using Portal.Core.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Redfish;

public sealed class FaultLab() : LabFixture(new LabOptions { FirstAddress = "127.0.44.1", BmcCount = 4, Seed = 44 });

public sealed class RedfishClientFaultTests(FaultLab fixture) : IClassFixture<FaultLab>
{
    private readonly LabFleet _lab = fixture.Lab;

    [Fact]
    public async Task Injected503sAreRetriedUntilTheBmcRecovers()
    {
        var bmc = _lab.Bmcs[0];
        var factory = LabClients.Factory(LabClients.TestOptions(o => { o.MaxRetries = 6; o.RetryBaseDelay = TimeSpan.FromMilliseconds(100); }));
        await using var client = await factory.ConnectAsync(bmc);
        bmc.ResetStats();
        bmc.Faults = new FaultSettings { ErrorRate = 1, ErrorStatusCode = 503 };
        try
        {
            var systems = client.GetSystemsAsync();
            // Let the BMC refuse a few attempts, then "recover".
            await WaitUntilAsync(() => bmc.Stats.Requests >= 2);
            bmc.Faults = FaultSettings.None;

            Assert.Equal(bmc.Systems.Count, (await systems).Count);
            Assert.True(bmc.Stats.Requests > 1 + bmc.Systems.Count, $"expected retries, saw {bmc.Stats.Requests} requests");
        }
        finally
        {
            bmc.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public async Task Persistent500GivesUpAfterTheConfiguredRetriesWithHttpError()
    {
        var bmc = _lab.Bmcs[1];
        var factory = LabClients.Factory(LabClients.TestOptions(o => o.MaxRetries = 2));
        await using var client = await factory.ConnectAsync(bmc);
        bmc.ResetStats();
        bmc.Faults = new FaultSettings { ErrorRate = 1, ErrorStatusCode = 500 };
        try
        {
            var e = await Assert.ThrowsAsync<RedfishException>(() => client.GetSystemsAsync());

            Assert.Equal(RedfishErrorKind.HttpError, e.Kind);
            Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
            Assert.Contains("/redfish/v1/Systems", e.Message);
            Assert.Contains(bmc.Address.ToString(), e.Message);
            Assert.Contains("internal service error", e.Message); // the Redfish error message is passed on
            Assert.Equal(3, bmc.Stats.Requests); // first attempt + 2 retries
        }
        finally
        {
            bmc.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public async Task MalformedJsonIsAMalformedResponseNotACrash()
    {
        var bmc = _lab.Bmcs[2];
        await using var client = await LabClients.Factory().ConnectAsync(bmc);
        bmc.ResetStats();
        bmc.Faults = new FaultSettings { MalformedJsonRate = 1 };
        try
        {
            var e = await Assert.ThrowsAsync<RedfishException>(() => client.GetSystemsAsync());

            Assert.Equal(RedfishErrorKind.MalformedResponse, e.Kind);
            Assert.Contains("/redfish/v1/Systems", e.Message);
            Assert.Equal(1, bmc.Stats.Requests); // nonsense is not retried
        }
        finally
        {
            bmc.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public async Task HungBmcIsATimeoutAfterRetries()
    {
        var bmc = _lab.Bmcs[3];
        var factory = LabClients.Factory(LabClients.TestOptions(o => { o.RequestTimeout = TimeSpan.FromMilliseconds(300); o.MaxRetries = 1; }));
        await using var client = factory.Create(LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse());
        await client.ProbeAsync(); // connect before the BMC hangs
        bmc.ResetStats();
        bmc.Faults = new FaultSettings { TimeoutRate = 1 };
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<RedfishException>(() => client.GetAsync<Portal.Core.Redfish.Models.ServiceRoot>("/redfish/v1"));
            stopwatch.Stop();

            Assert.Equal(RedfishErrorKind.Timeout, e.Kind);
            Assert.Equal(2, bmc.Stats.Requests);
            Assert.InRange(stopwatch.ElapsedMilliseconds, 550, 30_000); // two timeouts are the floor; the ceiling only catches a hang
        }
        finally
        {
            bmc.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public async Task NothingListeningIsUnreachable()
    {
        // A lab address with no BMC on it: 127.0.44.200 is inside this class's range but unused.
        var factory = LabClients.Factory(LabClients.TestOptions(o => o.MaxRetries = 1));
        await using var client = factory.Create(new BmcEndpoint("127.0.44.200", _lab.Port), TlsPolicy.PinOnFirstUse());
        var e = await Assert.ThrowsAsync<RedfishException>(() => client.ProbeAsync());
        Assert.Equal(RedfishErrorKind.Unreachable, e.Kind);
        Assert.True(e.RequestNotProcessed);
    }

    [Fact]
    public async Task ProbeWithoutRetryMakesOneAttempt()
    {
        var factory = LabClients.Factory(LabClients.TestOptions(o => { o.MaxRetries = 3; o.RetryBaseDelay = TimeSpan.FromSeconds(1); }));
        await using var client = factory.Create(new BmcEndpoint("127.0.44.201", _lab.Port), TlsPolicy.PinOnFirstUse());
        var stopwatch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RedfishException>(() => client.ProbeAsync(retry: false));
        Assert.Equal(RedfishErrorKind.Unreachable, e.Kind);
        Assert.Equal(1, client.RequestCount);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
