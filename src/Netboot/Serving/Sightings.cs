using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// Unknown firmware, one row per identity, counted. Requests only note a sighting in memory (merged
/// per identity, so a thousand retries of one machine are one row update); a background loop writes
/// what accumulated a few times a second in one upsert statement and tells browsers once. Stopping
/// the host writes the rest, and a failed write is kept and retried, so no sighting is lost quietly.
/// The table stays bounded: the same write keeps at most <see cref="NetbootOptions.MaxSightings"/>
/// unlinked rows and deletes the least recently seen beyond that, so a flood of random MACs cannot
/// grow it without end, and a real unknown machine that keeps asking stays among the newest.
/// </summary>
public sealed class SightingRecorder(IServiceScopeFactory scopes, ILiveUpdates live, TimeProvider clock, IOptions<NetbootOptions> options,
    ILogger<SightingRecorder> logger) : BackgroundService
{
    /// <summary>Distinct identities held between writes; beyond this (a flood while the database is down) new ones are counted and dropped loudly.</summary>
    public const int MaxPending = 100_000;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private long _dropped;

    private sealed record Pending(string Key, string? Mac, Guid? Uuid, string? Serial, string? BuildArch, string? Platform, string? RemoteAddress,
        DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, long Count, string? Reason = null)
    {
        public Pending Merge(Pending later) => this with
        {
            Uuid = later.Uuid ?? Uuid, Serial = later.Serial ?? Serial, BuildArch = later.BuildArch ?? BuildArch, Platform = later.Platform ?? Platform,
            RemoteAddress = later.RemoteAddress, LastSeenAt = later.LastSeenAt, Count = Count + later.Count, Reason = later.Reason,
        };
    }

    /// <param name="reason">Why it got its local disk when that is not simply "unknown" (the latest answer's reason is kept).</param>
    internal void Record(BootQuery query, string? remoteAddress, string? reason = null)
    {
        var now = clock.GetUtcNow();
        var seen = new Pending(NetbootSighting.KeyFor(query.Mac, query.Uuid), query.Mac, query.Uuid, query.Serial, query.BuildArch, query.Platform,
            remoteAddress, now, now, 1, reason);
        lock (_gate)
        {
            if (_pending.TryGetValue(seen.Key, out var earlier)) _pending[seen.Key] = earlier.Merge(seen);
            else if (_pending.Count < MaxPending) _pending[seen.Key] = seen;
            else _dropped++;
        }
    }

    /// <summary>Writes every sighting noted so far (tests call this; the loop calls it every <see cref="Interval"/>).</summary>
    public async Task FlushAsync(CancellationToken ct = default)
    {
        await _writing.WaitAsync(ct);
        try
        {
            Dictionary<string, Pending> batch;
            long dropped;
            lock (_gate)
            {
                if (_pending.Count == 0 && _dropped == 0) return;
                (batch, _pending) = (_pending, new Dictionary<string, Pending>(StringComparer.Ordinal));
                (dropped, _dropped) = (_dropped, 0);
            }
            if (dropped > 0) logger.LogError("Netboot sightings: {Dropped} unknown identities were not recorded (more than {Max} waiting to be written)", dropped, MaxPending);
            if (batch.Count == 0) return;
            long trimmed;
            try
            {
                trimmed = await WriteAsync(batch.Values.ToList(), ct);
            }
            catch
            {
                // Put them back (merged with anything newer) for the next attempt.
                lock (_gate)
                {
                    foreach (var (key, p) in batch)
                        _pending[key] = _pending.TryGetValue(key, out var newer) ? p.Merge(newer) : p;
                }
                throw;
            }
            if (trimmed > 0) logger.LogDebug("Netboot sightings: deleted the {Trimmed} least recently seen unlinked sightings (keeping {Max})", trimmed, options.Value.MaxSightings);
            await live.ChangedAsync("sightings", ct);
        }
        finally { _writing.Release(); }
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try { await FlushAsync(stop); }
                catch (Exception e) when (!stop.IsCancellationRequested) { logger.LogWarning(e, "Netboot sightings: write failed; keeping them for the next attempt"); }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await FlushAsync(CancellationToken.None); }
        catch (Exception e)
        {
            int left;
            lock (_gate) left = _pending.Count;
            logger.LogError(e, "Netboot sightings: {Count} sightings could not be written at shutdown", left);
        }
    }

    /// <summary>Upserts the batch and trims the unlinked rows to the bound, in one transaction; returns how many rows were trimmed.</summary>
    private async Task<long> WriteAsync(List<Pending> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // One statement for the whole batch; keys are distinct in it, so ON CONFLICT sees each row once.
        var keys = batch.Select(p => p.Key).ToArray();
        var macs = batch.Select(p => p.Mac).ToArray();
        var uuids = batch.Select(p => p.Uuid).ToArray();
        var serials = batch.Select(p => p.Serial).ToArray();
        var archs = batch.Select(p => p.BuildArch).ToArray();
        var platforms = batch.Select(p => p.Platform).ToArray();
        var addresses = batch.Select(p => p.RemoteAddress).ToArray();
        var firsts = batch.Select(p => p.FirstSeenAt).ToArray();
        var lasts = batch.Select(p => p.LastSeenAt).ToArray();
        var counts = batch.Select(p => p.Count).ToArray();
        var reasons = batch.Select(p => p.Reason).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "NetbootSightings" ("Key", "Mac", "Uuid", "Serial", "BuildArch", "Platform", "RemoteAddress", "FirstSeenAt", "LastSeenAt", "Count", "Reason")
            SELECT * FROM unnest({keys}::text[], {macs}::text[], {uuids}::uuid[], {serials}::text[], {archs}::text[], {platforms}::text[],
                                 {addresses}::text[], {firsts}::timestamptz[], {lasts}::timestamptz[], {counts}::bigint[], {reasons}::text[])
            ON CONFLICT ("Key") DO UPDATE SET
                "Uuid" = COALESCE(EXCLUDED."Uuid", "NetbootSightings"."Uuid"),
                "Serial" = COALESCE(EXCLUDED."Serial", "NetbootSightings"."Serial"),
                "BuildArch" = COALESCE(EXCLUDED."BuildArch", "NetbootSightings"."BuildArch"),
                "Platform" = COALESCE(EXCLUDED."Platform", "NetbootSightings"."Platform"),
                "RemoteAddress" = EXCLUDED."RemoteAddress",
                "Reason" = EXCLUDED."Reason",
                "LastSeenAt" = GREATEST(EXCLUDED."LastSeenAt", "NetbootSightings"."LastSeenAt"),
                "Count" = "NetbootSightings"."Count" + EXCLUDED."Count"
            """, ct);
        // Only unlinked rows count and go: a linked sighting is an admin's decision (it resolves a MAC to a
        // machine) and is never deleted here. Newest first by last-seen (the indexed column), so a flood pushes
        // out the identities that stopped asking, and one that keeps booting renews its place at every upsert.
        var max = options.Value.MaxSightings;
        var trimmed = await db.Database.ExecuteSqlAsync($"""
            DELETE FROM "NetbootSightings" WHERE "Id" IN (
                SELECT "Id" FROM "NetbootSightings" WHERE "MachineId" IS NULL
                 ORDER BY "LastSeenAt" DESC, "Id" DESC OFFSET {max})
            """, ct);
        await transaction.CommitAsync(ct);
        return trimmed;
    }
}
