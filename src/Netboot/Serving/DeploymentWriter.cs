using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Portal.Core.Persistence;
using Portal.Core.Scheduling;
using Portal.Core.Provisioning;

namespace Portal.Netboot.Serving;

/// <summary>
/// Stores what a netboot fetch did to its deployment — the rendered files, the address the token is
/// bound to, the timeline events — together with other machines' fetches: a boot storm of thousands
/// of machines wrote one transaction per fetch, and waited its turn for a pooled connection to do it.
/// Each request hands its tracked changes here and waits until they are committed (what it serves
/// must be stored first); one writer commits whatever gathered meanwhile in one transaction, with
/// one statement per shape of change (the same columns changed) that updates each deployment only at
/// the version its request read (PostgreSQL's xmin, as EF checks it) and adds its events only when
/// that update happened, so a fetch that lost a race is told so and reloads, as with EF. When the batch fails as a whole (a bad row), each deployment is
/// written again alone: the others are kept, and the one that fails gets the error (and the log says).
/// Only a deployment's own row and new events are written here; any other change (a failed run moves
/// its machine, a refused token writes the audit log) is saved by EF as before.
/// </summary>
public sealed class DeploymentWriter
{
    /// <summary>Deployments per transaction at most; more wait for the next one.</summary>
    internal const int MaxPerBatch = 256;

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger<DeploymentWriter> logger;
    private readonly BatchQueue<Unit> queue;

    public DeploymentWriter(NpgsqlDataSource dataSource, ILogger<DeploymentWriter> logger)
    {
        (this.dataSource, this.logger) = (dataSource, logger);
        queue = new BatchQueue<Unit>(MaxPerBatch, StoreBatchAsync, logger);
    }

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
        queue.Add(unit);
        return unit.Done.Task;
    }

    /// <summary>Stores a batch and answers each unit: saved, lost to a concurrent change, or failed (then logged).</summary>
    internal async Task StoreBatchAsync(List<Unit> batch)
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

    /// <summary>
    /// One transaction, one round trip for the statements and one for the commit. Units of the same
    /// shape (the same columns changed) share a statement; a deployment is in a statement at most once,
    /// so a second unit of it comes in a later statement and finds the version the first one wrote.
    /// </summary>
    internal async Task<bool[]> WriteAsync(IReadOnlyList<Unit> units)
    {
        var statements = Statement.Plan(units);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var statement in statements) batch.BatchCommands.Add(statement.Command());
        var saved = new bool[units.Count];
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            for (var i = 0; i < statements.Count; i++)
            {
                if (i > 0) await reader.NextResultAsync();
                var ids = new HashSet<long>();
                while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
                foreach (var index in statements[i].Units) saved[index] = ids.Contains(units[index].DeploymentId);
            }
        }
        await transaction.CommitAsync();
        Interlocked.Increment(ref batches);
        Interlocked.Add(ref written, units.Count);
        return saved;
    }

    /// <summary>
    /// What one request changed: its deployment's modified columns (at the version it read) and new
    /// events, as column values read on the request's thread (the context is not touched by the writer).
    /// </summary>
    internal sealed class Unit
    {
        public long DeploymentId { get; private init; }
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The deployment's version as read, or null when only events are added.</summary>
        public uint? Version { get; private init; }

        /// <summary>Changed columns, by column name (so units that changed the same ones share a statement).</summary>
        public SortedDictionary<string, Value> Columns { get; } = new(StringComparer.Ordinal);

        /// <summary>New events, in the order they were recorded; each row in <see cref="EventColumns"/>' order.</summary>
        public List<Value[]> Events { get; } = [];

        /// <summary>The event columns written (the deployment's id comes first, apart).</summary>
        public IReadOnlyList<(string Name, string Type)> EventColumns { get; private init; } = [];

        /// <summary>A provider value and the column type it is cast to.</summary>
        public readonly record struct Value(object Provider, string Type);

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
            return events.Select(g => Of(g.Key, deployments.GetValueOrDefault(g.Key), g.ToList())).ToList();
        }

        private static Unit Of(long deploymentId, EntityEntry? deployment, List<EntityEntry> events)
        {
            var type = events[0].Metadata;
            var columns = type.GetProperties().Where(p => !p.IsPrimaryKey() && p.Name != nameof(DeploymentEvent.DeploymentId)).ToList();
            var modified = deployment?.Properties.Where(p => p.IsModified).ToList() ?? [];
            var unit = new Unit
            {
                DeploymentId = deploymentId,
                Version = modified.Count == 0 ? null : ((Deployment)deployment!.Entity).Version,
                EventColumns = columns.Select(c => (c.GetColumnName(), c.GetColumnType())).ToList(),
            };
            foreach (var property in modified)
                unit.Columns[property.Metadata.GetColumnName()] = ValueOf(property.Metadata, property.CurrentValue);
            foreach (var e in events) unit.Events.Add(columns.Select(c => ValueOf(c, e.Property(c.Name).CurrentValue)).ToArray());
            return unit;
        }

        private static Value ValueOf(IProperty property, object? value)
        {
            var converter = property.GetValueConverter() ?? property.GetTypeMapping().Converter;
            return new Value((value is null ? null : converter?.ConvertToProvider(value) ?? value) ?? DBNull.Value, property.GetColumnType());
        }

        /// <summary>Units share a statement when they changed the same columns (or none).</summary>
        public string Shape => Version is null ? "" : string.Join(",", Columns.Keys);
    }

    /// <summary>
    /// One statement for units of one shape, each deployment once:
    /// WITH v (each unit's id, version and new values), d (the update where the version still holds,
    /// or the deployments as they are), ev (each unit's events), e (the events of the rows of d)
    /// SELECT the ids of d: a unit whose id is missing lost to a concurrent change, and added nothing.
    /// </summary>
    private sealed class Statement(IReadOnlyList<Unit> all)
    {
        private readonly List<int> indexes = [];
        private readonly List<NpgsqlParameter> parameters = [];

        /// <summary>Indexes of its units in the batch.</summary>
        public IReadOnlyList<int> Units => indexes;

        /// <summary>A deployment's k-th unit of the batch goes in the k-th round of statements.</summary>
        public static List<Statement> Plan(IReadOnlyList<Unit> units)
        {
            var rounds = new Dictionary<long, int>();
            var byKey = new Dictionary<(int Round, string Shape), Statement>();
            var ordered = new List<(int Round, Statement Statement)>();
            for (var i = 0; i < units.Count; i++)
            {
                var round = rounds[units[i].DeploymentId] = rounds.GetValueOrDefault(units[i].DeploymentId, -1) + 1;
                if (!byKey.TryGetValue((round, units[i].Shape), out var statement))
                {
                    byKey[(round, units[i].Shape)] = statement = new Statement(units);
                    ordered.Add((round, statement));
                }
                statement.indexes.Add(i);
            }
            return ordered.OrderBy(s => s.Round).Select(s => s.Statement).ToList();
        }

        public NpgsqlBatchCommand Command()
        {
            parameters.Clear();
            var units = indexes.Select(i => all[i]).ToList();
            var first = units[0];
            var sql = new StringBuilder();
            var columns = first.Columns.Keys.ToList();
            sql.Append("WITH v (\"Id\"").Append(first.Version is null ? "" : ", \"Version\"");
            foreach (var column in columns) sql.Append($", \"{column}\"");
            sql.Append(") AS (VALUES ");
            sql.AppendJoin(", ", units.Select(u =>
            {
                var row = new List<string> { Parameter(u.DeploymentId, NpgsqlDbType.Bigint) };
                if (u.Version is { } version) row.Add(Parameter(version, NpgsqlDbType.Xid));
                row.AddRange(columns.Select(c => Cast(u.Columns[c])));
                return "(" + string.Join(", ", row) + ")";
            }));
            sql.Append("), d AS (");
            if (first.Version is null) sql.Append("SELECT t.\"Id\" FROM \"Deployments\" t JOIN v ON v.\"Id\" = t.\"Id\"");
            else
            {
                sql.Append("UPDATE \"Deployments\" t SET ").AppendJoin(", ", columns.Select(c => $"\"{c}\" = v.\"{c}\""))
                    .Append(" FROM v WHERE t.\"Id\" = v.\"Id\" AND t.xmin = v.\"Version\" RETURNING t.\"Id\"");
            }
            var eventColumns = first.EventColumns.Select(c => $"\"{c.Name}\"").ToList();
            sql.Append("), ev (n, \"DeploymentId\", ").AppendJoin(", ", eventColumns).Append(") AS (VALUES ");
            var n = 0;
            sql.AppendJoin(", ", units.SelectMany(u => u.Events.Select(row =>
                $"({n++}, {Parameter(u.DeploymentId, NpgsqlDbType.Bigint)}, {string.Join(", ", row.Select(Cast))})")));
            // Ordered, so each run's events get their ids in the order they were recorded.
            sql.Append("), e AS (INSERT INTO \"DeploymentEvents\" (\"DeploymentId\", ").AppendJoin(", ", eventColumns)
                .Append(") SELECT ev.\"DeploymentId\", ").AppendJoin(", ", eventColumns.Select(c => "ev." + c))
                .Append(" FROM ev JOIN d ON d.\"Id\" = ev.\"DeploymentId\" ORDER BY ev.n RETURNING 1) SELECT \"Id\" FROM d");
            var command = new NpgsqlBatchCommand(sql.ToString());
            command.Parameters.AddRange(parameters.ToArray());
            return command;
        }

        private string Parameter(object value, NpgsqlDbType type)
        {
            parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + parameters.Count;
        }

        private string Cast(Unit.Value value)
        {
            parameters.Add(new NpgsqlParameter { Value = value.Provider });
            return $"CAST(${parameters.Count} AS {value.Type})";
        }
    }
}
