using Microsoft.Extensions.Logging;
using Npgsql;

namespace Portal.Core.Persistence;

/// <summary>
/// Applies pending <see cref="SchemaMigration"/>s at start-up. A session-level advisory lock makes
/// instances that start together take turns: the second waits, then finds nothing left to do.
/// Each migration runs in its own transaction together with its history row.
/// </summary>
public sealed class SchemaMigrator(string connectionString, ILogger<SchemaMigrator> logger)
{
    private const long AdvisoryLockKey = 0x706f7274616c; // "portal"
    public const string HistoryTable = "schema_history";

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct = default) =>
        await MigrateAsync(SchemaMigration.All, ct);

    internal async Task<IReadOnlyList<string>> MigrateAsync(IReadOnlyList<SchemaMigration> migrations, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await ExecuteAsync(conn, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(conn, null, $"""
                CREATE TABLE IF NOT EXISTS {HistoryTable} (
                    version text PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, ct);
            var applied = await AppliedAsync(conn, ct);
            var done = new List<string>();
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                        throw new InvalidOperationException(
                            $"Migration {migration.Version}_{migration.Name} was changed after it was applied to this database. " +
                            "Shipped migrations must never be edited: add a new one instead.");
                    continue;
                }
                await using var tx = await conn.BeginTransactionAsync(ct);
                await ExecuteAsync(conn, tx, migration.Sql, ct);
                await using (var record = new NpgsqlCommand(
                    $"INSERT INTO {HistoryTable} (version, name, checksum) VALUES (@v, @n, @c)", conn, tx))
                {
                    record.Parameters.AddWithValue("v", migration.Version);
                    record.Parameters.AddWithValue("n", migration.Name);
                    record.Parameters.AddWithValue("c", migration.Checksum);
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied schema migration {Version} {Name}", migration.Version, migration.Name);
                done.Add(migration.Version);
            }
            return done;
        }
        finally
        {
            await ExecuteAsync(conn, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task<Dictionary<string, string>> AppliedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var applied = new Dictionary<string, string>();
        await using var cmd = new NpgsqlCommand($"SELECT version, checksum FROM {HistoryTable}", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) applied[reader.GetString(0)] = reader.GetString(1);
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
