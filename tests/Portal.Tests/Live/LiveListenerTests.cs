using Npgsql;
using Portal.Live;
using Portal.Tests.Support;
using Portal.TestSupport;

namespace Portal.Tests.Live;

public sealed class LiveListenerTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task ChangeMadeInSqlReachesSubscribers()
    {
        using var heard = await HeardTopics.OnceListeningAsync(portal);

        await HeardTopics.SqlAsync(portal, "NOTIFY portal_live, 'machine:42'");

        await heard.HeardAsync("machine:42");
    }

    [Fact]
    public async Task BareNotifyTellsSubscribersToReloadEverything()
    {
        using var heard = await HeardTopics.OnceListeningAsync(portal);

        await HeardTopics.SqlAsync(portal, "NOTIFY portal_live");

        await heard.HeardAsync(null);
    }

    [Fact]
    public async Task ListenerReconnectsAfterItsConnectionIsKilledAndSubscribersReloadEverything()
    {
        using var heard = await HeardTopics.OnceListeningAsync(portal);

        Assert.Equal(1, await KillListenerAsync());

        await heard.HeardAsync(null);
        await Eventually.TrueAsync(() => heard.Statuses.SequenceEqual([LiveConnectionStatus.Reconnecting, LiveConnectionStatus.Connected]),
            "the connection state to go Reconnecting, then Connected");
        await HeardTopics.SqlAsync(portal, "NOTIFY portal_live, 'deployment:7'");
        await heard.HeardAsync("deployment:7");
    }

    private async Task<long> KillListenerAsync()
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE application_name = @name AND datname = current_database()
            """, connection);
        command.Parameters.AddWithValue("name", LiveListener.ApplicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
