using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Live;
using Portal.Core.Persistence;

namespace Portal.Live;

/// <summary>
/// The one connection of this instance that LISTENs on <see cref="PostgresLiveUpdates.Channel"/>:
/// every "topic changed", from any instance or from SQL, goes to the <see cref="LiveEventHub"/>.
/// When the connection drops it reconnects with backoff and then tells subscribers to reload
/// everything (null), since notifications sent while it was away are gone for good.
/// </summary>
internal sealed class LiveListener(
    LiveEventHub events, LiveConnectionState state, IServiceScopeFactory scopes, TimeProvider clock, ILogger<LiveListener> logger)
    : BackgroundService
{
    /// <summary>Names the connection in pg_stat_activity, so operators (and tests) can find it.</summary>
    public const string ApplicationName = "portal-live-listener";

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var connectionString = await ListenConnectionStringAsync();
        var retry = FirstRetry;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                // A bare `NOTIFY portal_live` (no payload) means "anything may have changed".
                connection.Notification += (_, e) => events.Publish(e.Payload is "" ? null : e.Payload);
                await connection.OpenAsync(stop);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresLiveUpdates.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stop);

                if (state.Current.Status == LiveConnectionStatus.Reconnecting)
                    logger.LogInformation("Live updates: listening again after {Outage}", clock.GetUtcNow() - state.Current.Since);
                retry = FirstRetry;
                // Also on the first connect: a page may have rendered before LISTEN took effect.
                // Published before the state changes, so whoever waits for Connected sees no stale null.
                events.Publish(null);
                state.Set(LiveConnectionStatus.Connected);

                while (true) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                if (state.Current.Status != LiveConnectionStatus.Reconnecting)
                    logger.LogWarning(e, "Live updates: lost the notification connection; open pages are not told of changes until it is back");
                else
                    logger.LogDebug(e, "Live updates: reconnect failed, next try in {Retry}", retry);
                state.Set(LiveConnectionStatus.Reconnecting);
                try { await Task.Delay(retry, clock, stop); } catch (OperationCanceledException) { return; }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
            }
        }
    }

    /// <summary>
    /// The Portal's own connection string (as AppDbContext has it), unpooled so a broken connection
    /// is really closed, with keepalives so a silently dead one is noticed while it waits.
    /// </summary>
    private async Task<string> ListenConnectionStringAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var connectionString = scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GetConnectionString()!;
        return new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = ApplicationName, Pooling = false, KeepAlive = 10, TcpKeepAlive = true,
        }.ConnectionString;
    }
}
