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
    private PowerLabHost power = default!;

    public async Task InitializeAsync() =>
        power = await PowerLabHost.StartAsync(new LabOptions { BmcCount = 3, FirstAddress = "127.0.87.1", Seed = 7, Profiles = ["hpe", "dell", "supermicro"] }, new() { ["Power:MaxEventStreams"] = "0" });

    public async Task DisposeAsync() => await power.DisposeAsync();

    private Task<int> RefreshAsync() => power.Host.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default);

    [Fact]
    public async Task ASessionIsReusedAcrossRefreshesSoEachRefreshIsOneGetPerSystem()
    {
        await RefreshAsync();
        Assert.All(power.Lab.Bmcs, b => Assert.Equal(1, b.Stats.SessionsCreated));
        power.Lab.ResetStats();

        for (var i = 0; i < 3; i++) Assert.Equal(3, await RefreshAsync());

        Assert.All(power.Lab.Bmcs, b =>
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
        var bmc = power.Lab.Bmcs[0];
        bmc.ExpireSessions();
        power.Lab.ResetStats();

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
        Assert.All(power.Lab.Bmcs, b => Assert.Equal(1, b.Stats.OpenSessions));

        await power.Host.Services.GetRequiredService<BmcSessions>().StopAsync(default);

        Assert.All(power.Lab.Bmcs, b => Assert.Equal(0, b.Stats.OpenSessions));
    }

    [Fact]
    public async Task NewCredentialsStartANewSessionAndTheOldOneIsLoggedOut()
    {
        await RefreshAsync();
        var bmc = power.Lab.Bmcs[1];
        power.Lab.ResetStats();
        await power.Host.WithDbAsync(async db =>
        {
            var row = await db.Bmcs.SingleAsync(b => b.Id == power.BmcIds[bmc]);
            // Same password typed in again: a new ciphertext, so a new credential revision.
            row.UseCredentials(bmc.Username, power.Host.Services.GetRequiredService<CredentialProtector>().Protect(bmc.Password), CredentialSource.Manual);
            return await db.SaveChangesAsync();
        });

        await RefreshAsync();

        Assert.Equal(1, bmc.Stats.SessionsCreated);
        await Eventually.TrueAsync(() => bmc.Stats.OpenSessions == 1, "the old session is logged out");
        Assert.All(power.Lab.Bmcs.Where(b => b != bmc), b => Assert.Equal(0, b.Stats.SessionsCreated));
    }

    [Fact]
    public async Task AnIdleSessionIsLoggedOut()
    {
        await using var shortIdle = await CatalogueTestHost.StartAsync(new() { ["Power:SessionIdleTimeout"] = "00:00:01", ["Power:MaxEventStreams"] = "0" }, realClock: true);
        var bmc = power.Lab.Bmcs[2];
        await PowerLabHost.RegisterAsync(shortIdle, bmc);
        await power.Host.Services.GetRequiredService<BmcSessions>().StopAsync(default);
        Assert.Equal(0, bmc.Stats.OpenSessions);

        Assert.Equal(1, await shortIdle.Services.GetRequiredService<PowerStateRefresher>().RefreshDueAsync(default));
        Assert.Equal(1, bmc.Stats.OpenSessions);

        await Eventually.TrueAsync(() => bmc.Stats.OpenSessions == 0, "the idle session is logged out", TimeSpan.FromSeconds(10));
    }
}
