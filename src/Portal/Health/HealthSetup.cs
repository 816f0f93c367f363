using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Portal.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Portal.Health;

internal static class HealthSetup
{
    public static void AddPortalHealth(this WebApplicationBuilder builder) =>
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

    /// <summary>200 "Healthy" when the database answers, 503 "Unhealthy" otherwise.</summary>
    public static void MapPortalHealth(this WebApplication app) => app.MapHealthChecks("/healthz").AllowAnonymous();
}

internal sealed class DatabaseHealthCheck(AppDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await db.Database.ExecuteSqlRawAsync("SELECT 1", timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer: " + e.Message);
        }
    }
}
