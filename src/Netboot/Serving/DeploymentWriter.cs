using System.Text;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;

namespace Portal.Netboot.Serving;

/// <summary>
/// Stores what a netboot fetch did to its deployment — the rendered files, the address the token is
/// bound to, the timeline events — together with other machines' fetches: a boot storm of thousands
/// of machines wrote one transaction per fetch, and waited its turn for a pooled connection to do it.
/// Each request hands its tracked changes here and waits until they are committed (what it serves
/// must be stored first); one writer commits whatever gathered meanwhile in one transaction, one
/// statement per deployment that updates it only at the version the request read (PostgreSQL's xmin,
/// as EF checks it) and adds its events only when that update happened, so a fetch that lost a race
/// is told so and reloads, as with EF. When the batch fails as a whole (a bad row), each deployment is
/// written again alone: the others are kept, and the one that fails gets the error (and the log says).
/// Only a deployment's own row and new events are written here; any other change (a failed run moves
/// its machine, a refused token writes the audit log) is saved by EF as before.
/// </summary>
public sealed class DeploymentWriter(NpgsqlDataSource dataSource, ILogger<DeploymentWriter> logger)
{
    /// <summary>Deployments per transaction at most; more wait for the next one.</summary>
    internal const int MaxPerBatch = 256;

    private readonly Channel<Unit> queue = Channel.CreateUnbounded<Unit>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock gate = new();
    private Task? writer;

    /// <summary>Batches written and deployments in them (benches print them).</summary>
    public long Batches => Interlocked.Read(ref batches);
    public long Written => Interlocked.Read(ref written);
    private long batches, written;

    /// <summary>
    /// Saves the context's changes: false when another request changed the deployment first (the
    /// caller reloads and tries again). The write goes ahead even if the request is aborted meanwhile.
    /// </summary>
    public async Task<bool> SaveAsync(AppDbContext db, CancellationToken ct)
    {
        if (Unit.From(db) is not { } unit) return await DeploymentFiles.SaveAsync(db, ct);
        var saved = await StoreAsync(unit);
        if (saved) db.ChangeTracker.AcceptAllChanges();
        return saved;
    }

    /// <summary>Stores a unit with whatever else gathered: true when saved, false when lost to a concurrent change.</summary>
    internal Task<bool> StoreAsync(Unit unit)
    {
        EnsureStarted();
        queue.Writer.TryWrite(unit);
        return unit.Done.Task;
    }

    private void EnsureStarted()
    {
        if (writer is not null) return;
        lock (gate) writer ??= Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<Unit>();
            while (batch.Count < MaxPerBatch && reader.TryRead(out var unit)) batch.Add(unit);
            await StoreBatchAsync(batch);
        }
    }

    /// <summary>Stores a batch and answers each unit: saved, lost to a concurrent change, or failed (then logged).</summary>
    internal async Task StoreBatchAsync(IReadOnlyList<Unit> batch)
    {
        try
        {
            var saved = await WriteAsync(batch);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(saved[i]);
        }
        catch (Exception e) when (batch.Count > 1)
        {
            logger.LogWarning(e, "Netboot records of {Count} deployments could not be stored together; storing each alone", batch.Count);
            foreach (var unit in batch) await WriteAloneAsync(unit);
        }
        catch (Exception e)
        {
            Failed(batch[0], e);
        }
    }

    private async Task WriteAloneAsync(Unit unit)
    {
        try
        {
            unit.Done.TrySetResult((await WriteAsync([unit]))[0]);
        }
        catch (Exception e)
        {
            Failed(unit, e);
        }
    }

    private void Failed(Unit unit, Exception e)
    {
        logger.LogError(e, "Could not store the netboot records of deployment {DeploymentId}", unit.DeploymentId);
        unit.Done.TrySetException(e);
    }

    /// <summary>One transaction, one round trip for the statements and one for the commit.</summary>
    internal async Task<bool[]> WriteAsync(IReadOnlyList<Unit> units)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var unit in units) batch.BatchCommands.Add(unit.Command());
        var saved = new bool[units.Count];
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            for (var i = 0; i < units.Count; i++)
            {
                if (i > 0) await reader.NextResultAsync();
                saved[i] = await reader.ReadAsync() && reader.GetInt64(0) == 1;
            }
        }
        await transaction.CommitAsync();
        Interlocked.Increment(ref batches);
        Interlocked.Add(ref written, units.Count);
        return saved;
    }

    /// <summary>
    /// What one request changed: its deployment's modified columns (at the version it read) and new
    /// events, as SQL made on the request's thread (the context is not touched by the writer).
    /// </summary>
    internal sealed class Unit
    {
        public long DeploymentId { get; private init; }
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private string sql = "";
        private readonly List<(string Name, object Value, NpgsqlDbType? Type)> parameters = [];

        /// <summary>The context's changes as one unit; null when they are anything else, or nothing: EF saves that as usual.</summary>
        public static Unit? From(AppDbContext db) => PerDeployment(db) is [var unit] ? unit : null;

        /// <summary>
        /// One unit per deployment the context changed (several runs' fetches done together); null when the
        /// context holds any other change, or a deployment changed without new events.
        /// </summary>
        public static List<Unit>? PerDeployment(AppDbContext db)
        {
            db.ChangeTracker.DetectChanges();
            var changed = db.ChangeTracker.Entries().Where(e => e.State is not (EntityState.Unchanged or EntityState.Detached)).ToList();
            var deployments = changed.Where(e => e.Entity is Deployment).ToDictionary(e => ((Deployment)e.Entity).Id);
            var events = changed.Where(e => e is { Entity: DeploymentEvent, State: EntityState.Added })
                .GroupBy(e => ((DeploymentEvent)e.Entity).DeploymentId).ToList();
            if (deployments.Count + events.Sum(g => g.Count()) != changed.Count) return null;
            if (deployments.Values.Any(e => e.State != EntityState.Modified) || deployments.Keys.Except(events.Select(g => g.Key)).Any()) return null;
            return events.Select(g =>
            {
                var unit = new Unit { DeploymentId = g.Key };
                unit.Build(deployments.GetValueOrDefault(g.Key), g.ToList());
                return unit;
            }).ToList();
        }

        /// <summary>A command of its own for each batch it goes in (a batch that failed is written again alone).</summary>
        public NpgsqlBatchCommand Command()
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var (name, value, type) in parameters)
                command.Parameters.Add(type is { } t ? new NpgsqlParameter(name, t) { Value = value } : new NpgsqlParameter(name, value));
            return command;
        }

        /// <summary>
        /// WITH d AS (the update, or the deployment as it is), e AS (the events, only for a row of d)
        /// SELECT how many rows d has: 1 saved, 0 lost to a concurrent change.
        /// </summary>
        private void Build(EntityEntry? deployment, List<EntityEntry> events)
        {
            string Parameter(IProperty property, object? value)
            {
                var converter = property.GetValueConverter() ?? property.GetTypeMapping().Converter;
                var name = "p" + parameters.Count;
                parameters.Add((name, (value is null ? null : converter?.ConvertToProvider(value) ?? value) ?? DBNull.Value, null));
                return $"CAST(@{name} AS {property.GetColumnType()})";
            }
            var text = new StringBuilder("WITH d AS (");
            parameters.Add(("id", DeploymentId, NpgsqlDbType.Bigint));
            if (deployment is { } entry)
            {
                var sets = entry.Properties.Where(p => p.IsModified)
                    .Select(p => $"\"{p.Metadata.GetColumnName()}\" = {Parameter(p.Metadata, p.CurrentValue)}").ToList();
                parameters.Add(("version", ((Deployment)entry.Entity).Version, NpgsqlDbType.Xid));
                text.Append($"UPDATE \"{entry.Metadata.GetTableName()}\" SET {string.Join(", ", sets)} WHERE \"Id\" = @id AND xmin = @version RETURNING \"Id\"");
            }
            else text.Append("SELECT \"Id\" FROM \"Deployments\" WHERE \"Id\" = @id");

            var type = events[0].Metadata;
            var columns = type.GetProperties().Where(p => !p.IsPrimaryKey() && p.Name != nameof(DeploymentEvent.DeploymentId)).ToList();
            var rows = events.Select(e => "(" + string.Join(", ", columns.Select(c => Parameter(c, e.Property(c.Name).CurrentValue))) + ")").ToList();
            text.Append($"), e AS (INSERT INTO \"{type.GetTableName()}\" (\"{type.FindProperty(nameof(DeploymentEvent.DeploymentId))!.GetColumnName()}\", ")
                .Append(string.Join(", ", columns.Select(c => $"\"{c.GetColumnName()}\"")))
                .Append($") SELECT d.\"Id\", v.* FROM d CROSS JOIN (VALUES {string.Join(", ", rows)}) AS v RETURNING 1) SELECT count(*) FROM d");
            sql = text.ToString();
        }
    }
}
