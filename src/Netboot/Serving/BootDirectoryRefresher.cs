using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Core.Machines;
using Portal.Core.Persistence;

namespace Portal.Netboot.Serving;

/// <summary>
/// Keeps the <see cref="BootDirectory"/> current. One connection LISTENs on 'portal_netboot' (the
/// triggers of migration 0009 notify it at every commit that can change a netboot answer); a second
/// loop re-reads what changed, in batches, and publishes a new snapshot. Listening starts before the
/// full load, so nothing committed in between is missed. When the listening connection drops the
/// directory goes dark (requests ask the database) until it has reconnected and loaded afresh.
/// </summary>
internal sealed class BootDirectoryRefresher : BackgroundService
{
    public const string Channel = "portal_netboot";

    private readonly BootDirectory _directory;
    private readonly TemplateSetCache _templates;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<BootDirectoryRefresher> _logger;
    private readonly Channel<RefreshWork> _work = System.Threading.Channels.Channel.CreateUnbounded<RefreshWork>(new() { SingleReader = true });
    // Bumped on every (re)connect: a full load only goes live if its connection is still the current one.
    private int _generation;
    private volatile bool _listening;

    public BootDirectoryRefresher(BootDirectory directory, TemplateSetCache templates, IServiceScopeFactory scopes, ILogger<BootDirectoryRefresher> logger)
    {
        _directory = directory;
        _templates = templates;
        _scopes = scopes;
        _logger = logger;
        directory.Refresher = this;
    }

    public void Enqueue(RefreshWork work)
    {
        if (!_work.Writer.TryWrite(work) && work.Change is { } change) _directory.Release(change); // only after shutdown
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        string connectionString;
        await using (var scope = _scopes.CreateAsyncScope())
            connectionString = scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GetConnectionString()!;
        await Task.WhenAll(ListenAsync(connectionString, stop), RefreshAsync(connectionString, stop));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _directory.GoDark();
        _work.Writer.TryComplete();
        // Nothing will re-read these any more; lift their suspicion (nothing is answered from memory now).
        while (_work.Reader.TryRead(out var work)) if (work.Change is { } change) _directory.Release(change);
    }

    private async Task ListenAsync(string connectionString, CancellationToken stop)
    {
        var listen = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, KeepAlive = 10, TcpKeepAlive = true }.ConnectionString;
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = new NpgsqlConnection(listen);
                await conn.OpenAsync(stop);
                conn.Notification += (_, e) => Notified(e.Payload);
                await using (var cmd = new NpgsqlCommand($"LISTEN {Channel}", conn)) await cmd.ExecuteNonQueryAsync(stop);
                _listening = true;
                _templates.Invalidate(); // an edit while nobody listened was not announced
                Enqueue(new RefreshWork(new HashSet<long>(), Sightings: true, Full: true));
                delay = TimeSpan.FromMilliseconds(200);
                while (true) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                GoDark();
                _logger.LogWarning(e, "Netboot directory: lost the change feed; answering from the database until it is back");
                try { await Task.Delay(delay, stop); } catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private void GoDark()
    {
        _listening = false;
        Interlocked.Increment(ref _generation);
        _directory.GoDark();
    }

    private void Notified(string payload)
    {
        if (payload == "templates") _templates.Invalidate();
        else if (payload == "sightings") Enqueue(new RefreshWork(new HashSet<long>(), Sightings: true, Full: false));
        else if (payload.StartsWith("machine:", StringComparison.Ordinal) && long.TryParse(payload.AsSpan(8), out var id))
            Enqueue(new RefreshWork(new HashSet<long> { id }, Sightings: false, Full: false));
        else
        {
            // Unknown payload: re-read everything rather than guess.
            _logger.LogWarning("Netboot directory: unexpected notification '{Payload}'", payload);
            Enqueue(new RefreshWork(new HashSet<long>(), Sightings: true, Full: true));
        }
    }

    private async Task RefreshAsync(string connectionString, CancellationToken stop)
    {
        var reader = _work.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                // Everything queued so far in one go: a boot storm's thousands of notifications become a few queries.
                var ids = new HashSet<long>();
                var changes = new List<BootDirectory.PendingChange>();
                bool full = false, sightings = false;
                while (reader.TryRead(out var work))
                {
                    ids.UnionWith(work.MachineIds);
                    full |= work.Full;
                    sightings |= work.Sightings;
                    if (work.Change is { } change) changes.Add(change);
                }
                try
                {
                    await ApplyAsync(connectionString, ids, full, sightings, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    // Memory may now be behind the database: stop answering from it until a full load succeeds.
                    _logger.LogWarning(e, "Netboot directory: could not re-read changes; answering from the database until reloaded");
                    _directory.GoDark();
                    _ = RetryFullLoadAsync(stop);
                }
                finally
                {
                    // Applied, or the directory is dark: either way these machines no longer need to be suspect.
                    foreach (var change in changes) _directory.Release(change);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    private async Task RetryFullLoadAsync(CancellationToken stop)
    {
        try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { return; }
        Enqueue(new RefreshWork(new HashSet<long>(), Sightings: true, Full: true));
    }

    private async Task ApplyAsync(string connectionString, HashSet<long> ids, bool full, bool sightings, CancellationToken ct)
    {
        if (full)
        {
            var generation = Volatile.Read(ref _generation);
            if (!_listening) return; // the listener will ask again once it is back
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(ct);
            var rows = await ReadMachinesAsync(conn, null, ct);
            var linked = await ReadLinkedAsync(conn, ct);
            if (!_listening || generation != Volatile.Read(ref _generation)) return;
            _directory.Publish(new Snapshot(rows.ToDictionary(r => r.MachineId), linked));
            // The listener may have dropped while publishing; it goes dark after bumping the generation, so one of us wins dark.
            if (!_listening || generation != Volatile.Read(ref _generation)) _directory.GoDark();
            else _logger.LogInformation("Netboot directory: {Count} machines loaded", rows.Count);
            return;
        }
        var current = _directory.Current;
        if (current is null || (ids.Count == 0 && !sightings)) return; // dark: the next full load reads everything
        await using (var conn = new NpgsqlConnection(connectionString))
        {
            await conn.OpenAsync(ct);
            var rows = ids.Count == 0 ? [] : await ReadMachinesAsync(conn, ids.ToArray(), ct);
            var linked = sightings ? await ReadLinkedAsync(conn, ct) : null;
            // Fails only if the directory went dark or was reloaded meanwhile; both make this batch moot.
            _directory.TryPublish(current, current.With(ids, rows, linked));
        }
    }

    private static async Task<List<BootEntry>> ReadMachinesAsync(NpgsqlConnection conn, long[]? ids, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            SELECT m."Id", m."State", m."Uuid", m."Serial",
                   ARRAY(SELECT lower(n->>'Mac') FROM jsonb_array_elements(CASE WHEN jsonb_typeof(m."Nics") = 'array' THEN m."Nics" ELSE '[]'::jsonb END) n
                          WHERE n->>'Mac' IS NOT NULL),
                   (SELECT d."Id" FROM "Deployments" d WHERE d."MachineId" = m."Id" AND d."State" = 'Active')
              FROM "Machines" m {(ids is null ? "" : "WHERE m.\"Id\" = ANY(@ids)")}
            """, conn);
        if (ids is not null) cmd.Parameters.AddWithValue("ids", ids);
        var rows = new List<BootEntry>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new BootEntry(
                reader.GetInt64(0),
                Enum.Parse<MachineState>(reader.GetString(1)),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                reader.GetFieldValue<string[]>(4),
                reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return rows;
    }

    private static async Task<Dictionary<string, long>> ReadLinkedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""SELECT "Key", "MachineId" FROM "NetbootSightings" WHERE "MachineId" IS NOT NULL""", conn);
        var linked = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) linked[reader.GetString(0)] = reader.GetInt64(1);
        return linked;
    }
}
