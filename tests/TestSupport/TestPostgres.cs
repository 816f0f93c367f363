using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Portal.TestSupport;

/// <summary>
/// The real PostgreSQL server the tests use. `make test` starts a private one and passes its
/// connection string in PORTAL_TEST_POSTGRES; a bare `dotnet test` starts one the same way.
/// Each caller gets a database of its own so test classes can run in parallel.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<string> Server = new(FindOrStartServer, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string ServerConnectionString => Server.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        var admin = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false };
        await using (var conn = new NpgsqlConnection(admin.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false };
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static string FindOrStartServer()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;

        var root = RepoRoot.Find();
        var psi = new ProcessStartInfo(Path.Combine(root, "scripts/postgres.sh"), ["start", Path.Combine(root, ".data/test-postgres")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PG_FSYNC"] = "off" },
        };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"Could not start the test PostgreSQL server (scripts/postgres.sh): {error}{output}");
        return output.Split('\n').Last();
    }
}

/// <summary>A fresh database per test class: <c>IClassFixture&lt;TestDatabase&gt;</c>.</summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestPostgres.CreateDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(ConnectionString);
}

public static class RepoRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (Portal.sln) above " + AppContext.BaseDirectory);
    }
}
