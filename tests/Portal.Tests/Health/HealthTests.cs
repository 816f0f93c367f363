using System.Net;
using Npgsql;
using Portal.TestSupport;
using Portal.Tests.Support;

namespace Portal.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task HealthzIs200WhileTheDatabaseAnswersAnd503WhileItIsGone()
    {
        var factory = new PortalFactory();
        await factory.InitializeAsync();
        try
        {
            var client = factory.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

            // The database disappears for a moment (renamed away), then comes back, so the host
            // (and its scheduler) can still shut down cleanly afterwards.
            var name = new NpgsqlConnectionStringBuilder(factory.ConnectionString).Database!;
            await RenameAsync(name, name + "_away");
            HttpResponseMessage response;
            try { response = await client.GetAsync("/healthz"); }
            finally { await RenameAsync(name + "_away", name); }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        }
        finally { await factory.DisposeAsync(); }
    }

    /// <summary>Renaming needs the database to have no sessions; pools reconnect, so retry.</summary>
    private static async Task RenameAsync(string from, string to)
    {
        var admin = new NpgsqlConnectionStringBuilder(TestPostgres.ServerConnectionString) { Database = "postgres", Pooling = false };
        await using var conn = new NpgsqlConnection(admin.ConnectionString);
        await conn.OpenAsync();
        for (var attempt = 1; ; attempt++)
        {
            await using (var kill = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{from}'", conn))
                await kill.ExecuteNonQueryAsync();
            try
            {
                await using var rename = new NpgsqlCommand($"ALTER DATABASE \"{from}\" RENAME TO \"{to}\"", conn);
                await rename.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == "55006" && attempt < 50) // still in use
            {
                await Task.Delay(20);
            }
        }
    }
}
