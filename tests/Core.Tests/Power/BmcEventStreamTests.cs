using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Power;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.Core.Tests.Power;

/// <summary>
/// BMC event streams against the real lab (127.0.88.x, HTTPS): dell and lenovo offer a server-sent
/// event stream (dell announcing power changes with iDRAC's numbered messages, lenovo with the
/// ResourceEvent registry), hpe does not. The refresh job does not run here, so a change that shows on a
/// streamed BMC came through its events. Power is changed through the lab's control API,
/// behind the Portal's back.
/// </summary>
public sealed class BmcEventStreamTests : IAsyncLifetime
{
    private PowerLabHost power = default!;
    private BmcEventStreams streams = default!;
    private readonly HttpClient control = new();

    public async Task InitializeAsync()
    {
        power = await PowerLabHost.StartAsync(new LabOptions { BmcCount = 3, FirstAddress = "127.0.88.1", Seed = 8, Profiles = ["dell", "hpe", "lenovo"] }, new()
        {
            ["Power:EventStreamScanInterval"] = "00:00:00.200",
            ["Power:EventStreamMaxBackoff"] = "00:00:01",
        });
        control.BaseAddress = power.Lab.ControlUri;
        streams = power.Host.Services.GetRequiredService<BmcEventStreams>();
        await streams.StartAsync(default);
    }

    public async Task DisposeAsync()
    {
        await streams.StopAsync(default);
        control.Dispose();
        await power.DisposeAsync();
    }

    private LabBmc Profile(string name) => power.Bmc(name);
    private LabBmc Dell => Profile("dell");
    private LabBmc Hpe => Profile("hpe");
    private EventedBmcs Evented => power.Host.Services.GetRequiredService<EventedBmcs>();

    private async Task PowerBehindThePortalsBackAsync(LabBmc bmc, string resetType)
    {
        var response = await control.PostAsJsonAsync($"/lab/bmcs/{bmc.Index}/systems/{bmc.Systems[0].Id}/power", new { resetType });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<string> PowerStateInPortalAsync(LabBmc bmc) =>
        power.Host.WithDbAsync(db => db.Machines.Where(m => m.Id == power.MachineIds[bmc.Systems[0]]).Select(m => m.PowerState).SingleAsync());

    private async Task StreamOpenAsync(LabBmc bmc)
    {
        await Eventually.TrueAsync(() => Evented.IsOpen(power.BmcIds[bmc]) && bmc.Stats.EventStreams == 1, $"the event stream of {bmc} is open");
        // The listener reads the machine once on connecting; wait for that, so it is not mistaken for an event.
        await Eventually.TrueAsync(async () => await PowerStateInPortalAsync(bmc) == "Off", "the first read after connecting");
    }

    /// <remarks>
    /// Seconds, where the poll of a streamed BMC comes only every EventedRefreshInterval (minutes),
    /// and here not at all: the change arrives by its event, whichever message form the BMC uses.
    /// </remarks>
    [Theory]
    [InlineData("dell")]   // IDRAC.2.9.SYS1000 / SYS1001
    [InlineData("lenovo")] // ResourceEvent.1.3.0.ResourcePoweredOn / ResourcePoweredOff
    public async Task APowerChangeOnAStreamedBmcShowsInThePortalWithinSecondsWithoutAPoll(string profile)
    {
        var bmc = Profile(profile);
        await StreamOpenAsync(bmc);

        await PowerBehindThePortalsBackAsync(bmc, "On");

        await Eventually.TrueAsync(async () => await PowerStateInPortalAsync(bmc) == "On", "the power-on arrives by event", TimeSpan.FromSeconds(5));
        await PowerBehindThePortalsBackAsync(bmc, "ForceOff");
        await Eventually.TrueAsync(async () => await PowerStateInPortalAsync(bmc) == "Off", "the power-off arrives by event", TimeSpan.FromSeconds(5));
        Assert.Equal(1, bmc.Stats.SessionsCreated);
    }

    [Fact]
    public async Task ABmcWithoutAStreamIsPolledAndAStreamedOneIsLeftAloneUntilItsLongInterval()
    {
        await StreamOpenAsync(Dell);
        await StreamOpenAsync(Profile("lenovo"));
        await Eventually.TrueAsync(() => streams.ListenerCount == 2, "the listener of the BMC without a stream has given up");
        Assert.False(Evented.IsOpen(power.BmcIds[Hpe]));
        Assert.Equal(0, Hpe.Stats.EventStreams);

        await PowerBehindThePortalsBackAsync(Hpe, "On");
        var read = await power.Host.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default);

        Assert.Equal(1, read); // the hpe machine; the streamed ones were read on connecting, minutes from due
        Assert.Equal("On", await PowerStateInPortalAsync(Hpe));
    }

    [Fact]
    public async Task TheStreamReconnectsAfterTheBmcDropsIt()
    {
        await StreamOpenAsync(Dell);

        var dropped = await control.PostAsync($"/lab/bmcs/{Dell.Index}/events/drop", null);
        Assert.True(dropped.IsSuccessStatusCode);
        Assert.Equal(0, Dell.Stats.EventStreams);
        await Eventually.TrueAsync(() => Dell.Stats.EventStreams == 1, "the stream is open again");

        await PowerBehindThePortalsBackAsync(Dell, "On");
        await Eventually.TrueAsync(async () => await PowerStateInPortalAsync(Dell) == "On", "the power-on arrives on the new stream", TimeSpan.FromSeconds(5));
        Assert.Equal(1, Dell.Stats.SessionsCreated);
    }

    [Fact]
    public async Task TheStreamResubscribesWithANewSessionAfterTheSessionIsLost()
    {
        await StreamOpenAsync(Dell);

        var expired = await control.PostAsync($"/lab/bmcs/{Dell.Index}/sessions/expire", null);
        Assert.True(expired.IsSuccessStatusCode);
        await Eventually.TrueAsync(() => Dell.Stats.SessionsCreated == 2 && Dell.Stats.EventStreams == 1, "a new session and a new stream");

        await PowerBehindThePortalsBackAsync(Dell, "On");
        await Eventually.TrueAsync(async () => await PowerStateInPortalAsync(Dell) == "On", "the power-on arrives on the new stream", TimeSpan.FromSeconds(5));
    }
}
