using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Persistence;
using Portal.TestSupport;

namespace Portal.Core.Tests.Persistence;

public sealed class SchemaMigrationTests
{
    [Fact]
    public async Task MigrationsApplyToAnEmptyDatabaseAndRecordHistory()
    {
        var cs = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var applied = await TestDb.Migrator(cs).MigrateAsync();

            Assert.Equal(SchemaMigration.All.Select(m => m.Version), applied);
            var history = await ScalarListAsync(cs, "SELECT version FROM schema_history ORDER BY version");
            Assert.Equal(SchemaMigration.All.Select(m => m.Version), history);
            Assert.Contains("qrtz_job_details", await ScalarListAsync(cs, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'"));
        }
        finally { await TestPostgres.DropDatabaseAsync(cs); }
    }

    [Fact]
    public async Task SecondRunAppliesNothing()
    {
        var cs = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await TestDb.Migrator(cs).MigrateAsync();
            Assert.Empty(await TestDb.Migrator(cs).MigrateAsync());
        }
        finally { await TestPostgres.DropDatabaseAsync(cs); }
    }

    [Fact]
    public async Task TwoMigratorsStartingTogetherApplyEachMigrationOnce()
    {
        var cs = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => TestDb.Migrator(cs).MigrateAsync())));

            Assert.Equal(SchemaMigration.All.Count, runs.Sum(r => r.Count));
            Assert.Single(runs, r => r.Count > 0);
            Assert.Equal(SchemaMigration.All.Count, (await ScalarListAsync(cs, "SELECT version FROM schema_history")).Count);
        }
        finally { await TestPostgres.DropDatabaseAsync(cs); }
    }

    [Fact]
    public async Task EditedMigrationIsRefusedWithAClearMessage()
    {
        var cs = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var first = new SchemaMigration("9001", "example", "CREATE TABLE example (id int)");
            await TestDb.Migrator(cs).MigrateAsync([first], default);

            var edited = first with { Sql = "CREATE TABLE example (id bigint)" };
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestDb.Migrator(cs).MigrateAsync([edited], default));
            Assert.Contains("9001_example was changed after it was applied", error.Message);
        }
        finally { await TestPostgres.DropDatabaseAsync(cs); }
    }

    [Fact]
    public async Task FailingMigrationLeavesNoTraceAndStopsLaterOnes()
    {
        var cs = await TestPostgres.CreateDatabaseAsync();
        try
        {
            SchemaMigration[] migrations =
            [
                new("9001", "good", "CREATE TABLE good (id int)"),
                new("9002", "bad", "CREATE TABLE half (id int); SELECT no_such_function()"),
                new("9003", "later", "CREATE TABLE later (id int)"),
            ];
            await Assert.ThrowsAsync<PostgresException>(() => TestDb.Migrator(cs).MigrateAsync(migrations, default));

            var tables = await ScalarListAsync(cs, "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'");
            Assert.Contains("good", tables);
            Assert.DoesNotContain("half", tables);
            Assert.DoesNotContain("later", tables);
            Assert.Equal(["9001"], await ScalarListAsync(cs, "SELECT version FROM schema_history"));
        }
        finally { await TestPostgres.DropDatabaseAsync(cs); }
    }

    [Fact]
    public async Task MigratedSchemaMatchesTheEfModel()
    {
        var migrated = await TestPostgres.CreateDatabaseAsync();
        var modelOnly = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await TestDb.Migrator(migrated).MigrateAsync();
            await using (var db = TestDb.Context(modelOnly)) await db.Database.EnsureCreatedAsync();

            var expected = await SchemaShape.DescribeAsync(modelOnly);
            var actual = await SchemaShape.DescribeAsync(migrated);

            var missing = expected.Except(actual).ToList();
            var extra = actual.Except(expected).ToList();
            await using var ctx = TestDb.Context(modelOnly);
            Assert.True(missing.Count == 0 && extra.Count == 0,
                "The migrations do not produce the schema the EF model expects. Write a new migration in " +
                "src/Core/Persistence/Migrations.\nMissing from migrations:\n  " + string.Join("\n  ", missing) +
                "\nOnly in migrations:\n  " + string.Join("\n  ", extra) +
                "\n\nThe model's full DDL, to start from:\n" + ctx.Database.GenerateCreateScript());
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(migrated);
            await TestPostgres.DropDatabaseAsync(modelOnly);
        }
    }

    private static async Task<List<string>> ScalarListAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync()) list.Add(reader.GetString(0));
        return list;
    }
}
