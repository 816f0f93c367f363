using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Portal.Core.Live;

/// <summary>
/// Publishes "topic changed" with pg_notify, so every Portal instance listening on the database
/// hears it, not only the one that made the change. Callers publish after SaveChanges, on a pooled
/// connection of its own: the change is committed already, so the notification never waits for
/// (nor rolls back with) the caller's transaction.
/// Topics are sent together: while one statement is on its way, the topics published meanwhile
/// gather (each once) and go in the next one, and every caller returns once its topic is sent. A boot
/// storm publishes two topics per fetch, thousands a second, and they cost a handful of round trips
/// instead of one each.
/// </summary>
internal sealed class PostgresLiveUpdates(NpgsqlDataSource dataSource, ILogger<PostgresLiveUpdates> logger) : ILiveUpdates
{
    /// <summary>The channel every instance LISTENs on; nothing else is sent on it.</summary>
    public const string Channel = "portal_live";

    private readonly Lock gate = new();
    private List<string> pending = [];
    private HashSet<string> pendingSet = new(StringComparer.Ordinal);
    private TaskCompletionSource? sent;
    private bool sending;

    public async Task ChangedAsync(string topic, CancellationToken cancellationToken = default)
    {
        Task done;
        var start = false;
        lock (gate)
        {
            if (pendingSet.Add(topic)) pending.Add(topic);
            sent ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done = sent.Task;
            if (!sending) sending = start = true;
        }
        if (start) _ = Task.Run(SendAsync, CancellationToken.None);
        try
        {
            await done.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller gave up; its data is committed and its topic still goes out with the others.
        }
    }

    /// <summary>Sends what gathered, in order, until nothing is left; one sender at a time.</summary>
    private async Task SendAsync()
    {
        while (true)
        {
            List<string> topics;
            TaskCompletionSource done;
            lock (gate)
            {
                if (pending.Count == 0)
                {
                    sending = false;
                    return;
                }
                (topics, pending, done, sent) = (pending, [], sent!, null);
                pendingSet = new HashSet<string>(StringComparer.Ordinal);
            }
            try
            {
                await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, t) FROM unnest(@topics) WITH ORDINALITY AS u(t, n) ORDER BY n");
                command.Parameters.AddWithValue("channel", Channel);
                command.Parameters.Add(new NpgsqlParameter("topics", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = topics.ToArray() });
                await command.ExecuteNonQueryAsync();
            }
            catch (Exception e)
            {
                // The business operations already succeeded: a lost notification only leaves open pages
                // stale until their next change or reconnect, which is no reason to fail them.
                logger.LogWarning(e, "Live updates: could not publish {Topics}", string.Join(", ", topics));
            }
            done.SetResult();
        }
    }
}
