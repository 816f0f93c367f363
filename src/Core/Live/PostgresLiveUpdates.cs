using Microsoft.Extensions.Logging;
using Npgsql;

namespace Portal.Core.Live;

/// <summary>
/// Publishes "topic changed" with pg_notify, so every Portal instance listening on the database
/// hears it, not only the one that made the change. Callers publish after SaveChanges, on a pooled
/// connection of its own: the change is committed already, so the notification never waits for
/// (nor rolls back with) the caller's transaction.
/// </summary>
internal sealed class PostgresLiveUpdates(NpgsqlDataSource dataSource, ILogger<PostgresLiveUpdates> logger) : ILiveUpdates
{
    /// <summary>The channel every instance LISTENs on; nothing else is sent on it.</summary>
    public const string Channel = "portal_live";

    public async Task ChangedAsync(string topic, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, @topic)");
            command.Parameters.AddWithValue("channel", Channel);
            command.Parameters.AddWithValue("topic", topic);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up; its data is committed and the next change refreshes the pages.
        }
        catch (Exception e)
        {
            // The business operation already succeeded: a lost notification only leaves open pages
            // stale until their next change or reconnect, which is no reason to fail it.
            logger.LogWarning(e, "Live updates: could not publish '{Topic}'", topic);
        }
    }
}
