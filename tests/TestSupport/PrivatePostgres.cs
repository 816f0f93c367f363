using System.Diagnostics;
using Npgsql;

namespace Portal.TestSupport;

/// <summary>
/// A PostgreSQL server of a test's own (scripts/postgres.sh in a temporary folder), for tests that
/// stop the database under a running Portal: the shared test server must stay up for everyone else.
/// Restarted on the same port, so the Portal's connection string stays valid.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("portal-pg-").FullName;
    private readonly string database = $"private_{Guid.NewGuid():N}";
    private string? port;

    public string ConnectionString { get; private set; } = "";

    public async Task StartAsync()
    {
        var output = await RunAsync("start");
        ConnectionString = output.Split('\n').Last();
        port ??= new NpgsqlConnectionStringBuilder(ConnectionString).Port.ToString();
    }

    public Task StopAsync() => RunAsync("stop");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopAsync();
        Directory.Delete(directory, recursive: true);
    }

    private async Task<string> RunAsync(string command)
    {
        var start = new ProcessStartInfo(Path.Combine(RepoRoot.Find(), "scripts/postgres.sh"), [command, directory])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            // A name of its own: the factory's clean-up drops its database by name on the shared server too.
            Environment = { ["PG_FSYNC"] = "off", ["PG_DATABASE"] = database },
        };
        if (port is not null) start.Environment["PG_PORT"] = port;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/postgres.sh {command} failed: {error}{output}");
        return output.Trim();
    }
}
