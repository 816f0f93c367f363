using Npgsql;
using Portal.Core.Persistence;

namespace Portal.Core.Tests.Persistence;

/// <summary>
/// A comparable text description of the application's tables: columns with types, nullability and
/// defaults, indexes and constraints. Quartz's tables and the history table are not part of the EF
/// model, so they are left out.
/// </summary>
internal static class SchemaShape
{
    private const string Tables = $"""
        table_schema = 'public' AND table_name NOT LIKE '{SchemaMigration.QuartzTablePrefix}%' AND table_name <> '{SchemaMigrator.HistoryTable}'
        """;

    public static async Task<HashSet<string>> DescribeAsync(string connectionString)
    {
        var sql = $"""
            SELECT format('column %s.%s %s(%s) nullable=%s default=%s identity=%s', table_name, column_name, data_type,
                          coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, ''), is_identity)
              FROM information_schema.columns WHERE {Tables}
            UNION ALL
            SELECT format('index %s', indexdef) FROM pg_indexes
             WHERE schemaname = 'public' AND tablename NOT LIKE '{SchemaMigration.QuartzTablePrefix}%' AND tablename <> '{SchemaMigrator.HistoryTable}'
            UNION ALL
            SELECT format('constraint %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
              FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             WHERE c.connamespace = 'public'::regnamespace AND t.relname NOT LIKE '{SchemaMigration.QuartzTablePrefix}%'
               AND t.relname <> '{SchemaMigrator.HistoryTable}'
               AND c.contype <> 't' -- constraint triggers (migration 0010) are not part of the EF model, like other triggers
            """;
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var shape = new HashSet<string>();
        while (await reader.ReadAsync()) shape.Add(reader.GetString(0));
        return shape;
    }
}
