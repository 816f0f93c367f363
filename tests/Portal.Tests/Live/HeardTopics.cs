using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Live;
using Portal.Tests.Support;
using Portal.TestSupport;

namespace Portal.Tests.Live;

/// <summary>What a subscriber of one Portal host's <see cref="LiveEventHub"/> has been told.</summary>
internal sealed class HeardTopics : IDisposable
{
    private readonly ConcurrentQueue<string?> topics = new();
    private readonly ConcurrentQueue<LiveConnectionStatus> statuses = new();
    private readonly IDisposable subscription;

    private HeardTopics(LiveEventHub events, LiveConnectionState state) =>
        subscription = events.Subscribe(topic =>
        {
            topics.Enqueue(topic);
            // Read inside the publish of the change, so this is the status that was announced.
            if (topic == LiveConnectionState.Topic) statuses.Enqueue(state.Current.Status);
            return Task.CompletedTask;
        });

    /// <summary>Subscribes once the host's listener is connected, so nothing sent from now on is missed.</summary>
    public static async Task<HeardTopics> OnceListeningAsync(PortalFactory portal)
    {
        var state = portal.Services.GetRequiredService<LiveConnectionState>();
        await Eventually.TrueAsync(() => state.Current.Status == LiveConnectionStatus.Connected, "the live listener to connect");
        return new HeardTopics(portal.Services.GetRequiredService<LiveEventHub>(), state);
    }

    public IReadOnlyList<string?> Topics => [.. topics];
    public IReadOnlyList<LiveConnectionStatus> Statuses => [.. statuses];

    public Task HeardAsync(string? topic) =>
        Eventually.TrueAsync(() => topics.Contains(topic), $"subscribers to hear '{topic ?? "(everything)"}'");

    public void Dispose() => subscription.Dispose();

    public static async Task SqlAsync(PortalFactory portal, string sql)
    {
        await using var connection = new NpgsqlConnection(portal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
