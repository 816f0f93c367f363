using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Portal.Core.Catalogue;

/// <summary>
/// Now and then, per Portal instance (the counts it checks live in its own memory, so this is a
/// hosted service rather than a clustered Quartz job): the filters its catalogue holds, most used
/// first, are counted in full and compared with the held counts (<see cref="CatalogueFacetCache.Verify"/>
/// logs and repairs a difference: a change made with the triggers off, a bug), and changes older than
/// <see cref="Keep"/> are pruned (any instance may; a cache further behind counts afresh).
/// </summary>
internal sealed class CatalogueFacetCheck(IServiceScopeFactory scopes, CatalogueFacetCache cache, ILogger<CatalogueFacetCheck> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan Keep = TimeSpan.FromMinutes(15);
    private const int FiltersPerCheck = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var connectionString = scope.ServiceProvider.GetRequiredService<Persistence.AppDbContext>().Database.GetDbConnection().ConnectionString;
                await CheckAsync(cache, connectionString, FiltersPerCheck, stoppingToken);
                await PruneAsync(connectionString, Keep, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Catalogue facet check failed; trying again in {Interval}", Interval);
            }
        }
    }

    /// <summary>Checks up to <paramref name="max"/> held filters; returns how many were checked and how many differed.</summary>
    internal static async Task<(int Checked, int Repaired)> CheckAsync(CatalogueFacetCache cache, string connectionString, int max, CancellationToken ct)
    {
        var (checkedCount, repaired) = (0, 0);
        foreach (var (key, filter) in cache.Held(max).Filters)
        {
            var (tally, revision) = await CatalogueFacetCounts.CountAsync(connectionString, filter, ct);
            // Counted at another revision than the one held (a change in between): next time.
            if (revision is not { } at || cache.Verify(key, tally, at) is not { } same) continue;
            checkedCount++;
            if (!same) repaired++;
        }
        return (checkedCount, repaired);
    }

    internal static async Task PruneAsync(string connectionString, TimeSpan keep, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""DELETE FROM "CatalogueChanges" WHERE "ChangedAt" < now() - @keep""", connection);
        command.Parameters.AddWithValue("keep", keep);
        await command.ExecuteNonQueryAsync(ct);
    }
}
