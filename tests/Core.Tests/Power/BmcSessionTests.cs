using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Power;
using Portal.Core.Tests.Catalogue;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.Core.Tests.Power;

/// <summary>
/// The power refresh keeps one Redfish session per BMC (real lab over HTTPS at 127.0.87.x, real
/// PostgreSQL). No event streams run here: the refresh is called directly.
/// </summary>
public sealed class BmcSessionTests : IAsyncLifetime
{
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-sessions-lab-").FullName;
    private LabFleet lab = default!;
    private CatalogueTestHost host = default!;
    private readonly Dictionary<LabBmc, long> bmcIds = [];

    public async Task InitializeAsync()
    {
        lab = await LabFleet.StartAsync(new LabOptions { BmcCount = 3, FirstAddress = "127.0.87.1", OutputDirectory = labDirectory, Seed = 7, Profiles = ["hpe", "dell", "supermicro"] });
        host = await CatalogueTestHost.StartAsync(new() { ["Redfish:RetryBaseDelay"] = "00:00:00.020", ["Power:MaxEventStreams"] = "0" }, realClock: true);
        foreach (var bmc in lab.Bmcs)
        {
            var bmcId = await host.AddBmcAsync(MacAddress.Parse(bmc.Mac).ToString(), bmc.Address.ToString(), bmc.Port, bmc.Username, bmc.Password, bmc.Https);
            bmcIds[bmc] = bmcId;
            foreach (var system in bmc.Systems)
                await host.AddMachineAsync(bmcId, Facts.Of(redfishId: system.RedfishPath, serial: system.Facts.SerialNumber));
        }
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
    }

    private Task<int> RefreshAsync() => host.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default);

    [Fact]
    public async Task ASessionIsReusedAcrossRefreshesSoEachRefreshIsOneGetPerSystem()
    {
        await RefreshAsync();
        Assert.All(lab.Bmcs, b => Assert.Equal(1, b.Stats.SessionsCreated));
        lab.ResetStats();

        for (var i = 0; i < 3; i++) Assert.Equal(3, await RefreshAsync());

        Assert.All(lab.Bmcs, b =>
        {
            Assert.Equal(0, b.Stats.SessionsCreated);
            Assert.Equal(3, b.Stats.Requests);
            Assert.Equal(1, b.Stats.OpenSessions);
        });
    }

    [Fact]
    public async Task ASessionTheBmcForgotIsReplacedByExactlyOneNewLogin()
    {
        await RefreshAsync();
        var bmc = lab.Bmcs[0];
        bmc.ExpireSessions();
        lab.ResetStats();

        Assert.Equal(3, await RefreshAsync());

        // GET → 401, POST a new session, the GET again; then nothing more for the next refresh.
        Assert.Equal(1, bmc.Stats.SessionsCreated);
        Assert.Equal(3, bmc.Stats.Requests);
        await RefreshAsync();
        Assert.Equal(1, bmc.Stats.SessionsCreated);
        Assert.Equal(4, bmc.Stats.Requests);
    }

    [Fact]
    public async Task StoppingThePortalLogsEverySessionOut()
    {
        await RefreshAsync();
        Assert.All(lab.Bmcs, b => Assert.Equal(1, b.Stats.OpenSessions));

        await host.Services.GetRequiredService<BmcSessions>().StopAsync(default);

        Assert.All(lab.Bmcs, b => Assert.Equal(0, b.Stats.OpenSessions));
    }

    [Fact]
    public async Task NewCredentialsStartANewSessionAndTheOldOneIsLoggedOut()
    {
        await RefreshAsync();
        var bmc = lab.Bmcs[1];
        lab.ResetStats();
        await host.WithDbAsync(async db =>
        {
            var row = await db.Bmcs.SingleAsync(b => b.Id == bmcIds[bmc]);
            // Same password typed in again: a new ciphertext, so a new credential revision.
            row.UseCredentials(bmc.Username, host.Services.GetRequiredService<CredentialProtector>().Protect(bmc.Password), CredentialSource.Manual);
            return await db.SaveChangesAsync();
        });

        await RefreshAsync();

        Assert.Equal(1, bmc.Stats.SessionsCreated);
        await Eventually.TrueAsync(() => bmc.Stats.OpenSessions == 1, "the old session is logged out");
        Assert.All(lab.Bmcs.Where(b => b != bmc), b => Assert.Equal(0, b.Stats.SessionsCreated));
    }

    [Fact]
    public async Task AnIdleSessionIsLoggedOut()
    {
        await using var shortIdle = await CatalogueTestHost.StartAsync(new() { ["Power:SessionIdleTimeout"] = "00:00:01", ["Power:MaxEventStreams"] = "0" }, realClock: true);
        var bmc = lab.Bmcs[2];
        var bmcId = await shortIdle.AddBmcAsync(MacAddress.Parse(bmc.Mac).ToString(), bmc.Address.ToString(), bmc.Port, bmc.Username, bmc.Password, bmc.Https);
        await shortIdle.AddMachineAsync(bmcId, Facts.Of(redfishId: bmc.Systems[0].RedfishPath));
        await host.Services.GetRequiredService<BmcSessions>().StopAsync(default);
        Assert.Equal(0, bmc.Stats.OpenSessions);

        Assert.Equal(1, await shortIdle.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default));
        Assert.Equal(1, bmc.Stats.OpenSessions);

        await Eventually.TrueAsync(() => bmc.Stats.OpenSessions == 0, "the idle session is logged out", TimeSpan.FromSeconds(10));
    }
}
