using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Catalogue;
using Portal.Core.Power;
using Portal.Core.Reservations;

namespace Portal.Core.Tests.Catalogue;

/// <summary>
/// Facet counts are cached per filter and catalogue revision: a view that only changes its sort or
/// page reuses them, and any change to a machine, by any writer, shows in the very next search.
/// Each test has a database of its own, since they change machines.
/// </summary>
public sealed class CatalogueFacetCacheTests : IAsyncLifetime
{
    private CatalogueTestHost host = default!;
    private readonly List<long> ids = [];

    public async Task InitializeAsync()
    {
        host = await CatalogueTestHost.StartAsync();
        var bmc = await host.AddBmcAsync("02:00:00:00:00:02");
        ids.Add(await host.AddMachineAsync(bmc, Facts.Of(cores: 16), "rack-a"));
        ids.Add(await host.AddMachineAsync(bmc, Facts.Of(cores: 64, gpus: ["NVIDIA L40S"]), "rack-a"));
        ids.Add(await host.AddMachineAsync(bmc, Facts.Of(cores: 32), "rack-b"));
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<CataloguePage> SearchAsync(string query) =>
        host.WithAsync<MachineCatalogue, CataloguePage>(c => c.SearchAsync(CatalogueQuery.Parse(query)));

    private Task<long> RevisionAsync() =>
        host.WithDbAsync(db => db.Database.SqlQueryRaw<long>(CatalogueRevision.CurrentSql).SingleAsync());

    [Fact]
    public async Task SortingAndPagingReuseTheCountsOfTheirFilter()
    {
        var first = await SearchAsync("cores=16&size=1");
        var sorted = await SearchAsync("cores=16&size=1&sort=cores&dir=desc&page=2");
        var otherFilter = await SearchAsync("cores=32&size=1");

        Assert.Same(first.Facets, sorted.Facets);
        Assert.NotSame(first.Facets, otherFilter.Facets);
        Assert.Equal(3, sorted.Total);
        Assert.Equal(2, otherFilter.Total);
    }

    [Fact]
    public async Task AReservationShowsInTheNextSearch()
    {
        var before = await SearchAsync("");
        Assert.Equal(3, before.Total);

        Assert.True((await host.ReserveAsync(CatalogueTestHost.User("ann"), ids[1])).Succeeded);
        var after = await SearchAsync("");

        Assert.Equal(2, after.Total);
        Assert.DoesNotContain(after.Rows, r => r.Id == ids[1]);
        Assert.Equal(2, after.Facets.CountOf(CatalogueFacets.State, "Available"));
        Assert.Equal(1, after.Facets.CountOf(CatalogueFacets.State, "Reserved"));
        Assert.Equal(0, after.Facets.CountOf(CatalogueFacets.Gpu, "NVIDIA L40S"));
    }

    [Fact]
    public async Task AChangeMadeOutsideTheApplicationShowsInTheNextSearch()
    {
        Assert.Equal(2, (await SearchAsync("")).Facets.CountOf(CatalogueFacets.Tag, "rack-a"));

        await using (var conn = new NpgsqlConnection(host.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""UPDATE "Machines" SET "Tags" = '{rack-c}' WHERE "Id" = @id""", conn);
            cmd.Parameters.AddWithValue("id", ids[0]);
            await cmd.ExecuteNonQueryAsync();
        }
        var after = (await SearchAsync("")).Facets;

        Assert.Equal(1, after.CountOf(CatalogueFacets.Tag, "rack-a"));
        Assert.Equal(1, after.CountOf(CatalogueFacets.Tag, "rack-c"));
    }

    [Fact]
    public async Task ANewMachineShowsInTheNextSearch()
    {
        Assert.Equal(1, (await SearchAsync("cores=64")).Total);

        await host.AddMachineAsync(await host.AddBmcAsync("02:00:00:00:00:03"), Facts.Of(cores: 128));

        Assert.Equal(2, (await SearchAsync("cores=64")).Total);
    }

    [Fact]
    public async Task ATransactionMovesTheRevisionOnceHoweverManyMachinesItChanges()
    {
        var before = await RevisionAsync();

        Assert.True((await host.ReserveAsync(CatalogueTestHost.User("bob"), ids[0], ids[1], ids[2])).Succeeded);

        Assert.Equal(before + 1, await RevisionAsync());
    }

    [Fact]
    public async Task PowerObservationsLeaveTheCachedCountsValid()
    {
        var before = await RevisionAsync();
        var first = await SearchAsync("");

        await host.WithDbAsync(db => db.RecordPowerAsync(ids[0], "On", ["On", "ForceOff"], DateTimeOffset.UtcNow, default));

        Assert.Equal(before, await RevisionAsync());
        Assert.Same(first.Facets, (await SearchAsync("")).Facets);
    }

    private static readonly string[] Views =
    [
        "", "state=any", "cores=32", "tag=rack-a", "gpu=NVIDIA%20L40S&sort=cores", "cpu=epyc", "disk=NVMe&storage=4000", "state=Reserved",
        "vendor=Dell%20Inc.&memory=256", "nic=25000", "arch=aarch64&state=any", "threads=64&gpus=1",
    ];

    private async Task SqlAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(host.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<string> FullCountAsync(string view)
    {
        var (tally, _) = await CatalogueFacetCounts.CountAsync(host.ConnectionString, new CatalogueFilter(CatalogueQuery.Parse(view)), default);
        return Shape(tally.ToFacets());
    }

    private static string Shape(CatalogueFacets facets) =>
        string.Join("\n", facets.Values.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + ": " + string.Join(", ", f.Value.Select(v => $"{v.Value}={v.Count}"))));

    [Fact]
    public async Task CountsEqualAFullCountAfterRandomChangesIncludingSqlWithoutCountingAgain()
    {
        var random = new Random(16);
        var bmc = await host.AddBmcAsync("02:00:00:00:00:04");
        string[] cpus = ["AMD EPYC 7543 32-Core Processor", "Intel(R) Xeon(R) Gold 6338 CPU", "Ampere Altra Q80-30"];
        for (var i = 0; i < 30; i++)
            ids.Add(await host.AddMachineAsync(bmc, Facts.Of(cores: random.Next(1, 5) * 16, threads: random.Next(1, 5) * 32, memoryGiB: 64 << random.Next(0, 4),
                cpu: cpus[random.Next(cpus.Length)], arch: random.Next(4) == 0 ? "aarch64" : "x86_64", vendor: random.Next(2) == 0 ? "Dell Inc." : "HPE",
                gpus: random.Next(3) == 0 ? ["NVIDIA L40S", "NVIDIA L40S"] : [], nicMbps: [random.Next(2) == 0 ? 25_000 : 10_000],
                disks: [(random.Next(2) == 0 ? "SSD" : "HDD", random.Next(2) == 0 ? "NVMe" : "SATA", random.Next(1, 6) * 1000)]), random.Next(2) == 0 ? "rack-a" : "rack-b"));
        var cache = host.Services.GetRequiredService<CatalogueFacetCache>();
        foreach (var view in Views) await SearchAsync(view);
        var counted = cache.FullCounts;

        string[] states = ["Available", "Reserved", "Deployed", "Maintenance", "Failed"];
        for (var round = 0; round < 25; round++)
        {
            var id = ids[random.Next(ids.Count)];
            var other = ids[random.Next(ids.Count)];
            switch (random.Next(7))
            {
                case 0: await SqlAsync($"UPDATE \"Machines\" SET \"State\" = '{states[random.Next(states.Length)]}' WHERE \"Id\" = {id}"); break;
                case 1: await SqlAsync($"UPDATE \"Machines\" SET \"Tags\" = '{{rack-a,loaner}}', \"CpuCores\" = {random.Next(1, 9) * 8} WHERE \"Id\" IN ({id}, {other})"); break;
                // Two changes of one machine in one transaction: each old/new pair adds up.
                case 2: await SqlAsync($$"""
                    BEGIN; UPDATE "Machines" SET "GpuModels" = '{NVIDIA L40S}', "GpuCount" = 1 WHERE "Id" = {{id}};
                    UPDATE "Machines" SET "State" = 'Reserved', "MemoryBytes" = {{512L << 30}} WHERE "Id" = {{id}}; COMMIT;
                    """); break;
                case 3: await SqlAsync($"DELETE FROM \"Machines\" WHERE \"Id\" = {id}"); ids.Remove(id); break;
                case 4: ids.Add(await host.AddMachineAsync(bmc, Facts.Of(cores: 64, cpu: cpus[random.Next(cpus.Length)], gpus: ["NVIDIA L40S"]), "rack-a")); break;
                case 5: await host.ReserveAsync(CatalogueTestHost.User("ann"), id); break;
                default: await SqlAsync($"UPDATE \"Machines\" SET \"PowerState\" = 'On', \"Tags\" = \"Tags\" WHERE \"Id\" = {id}"); break;
            }
            foreach (var view in Views)
            {
                var page = await SearchAsync(view);
                Assert.Equal(await FullCountAsync(view), Shape(page.Facets));
            }
        }
        Assert.Equal(counted, cache.FullCounts);
    }

    [Fact]
    public async Task TheCheckFindsCountsThatMissedAChangeAndRepairsThem()
    {
        var cache = host.Services.GetRequiredService<CatalogueFacetCache>();
        Assert.Equal(2, (await SearchAsync("")).Facets.CountOf(CatalogueFacets.Tag, "rack-a"));
        // With replication's role the triggers do not fire: the change is not recorded, as if a bug lost it.
        await SqlAsync($"SET session_replication_role = replica; UPDATE \"Machines\" SET \"Tags\" = '{{rack-c}}' WHERE \"Id\" = {ids[0]}");
        Assert.Equal(2, (await SearchAsync("")).Facets.CountOf(CatalogueFacets.Tag, "rack-a"));

        var (checkedCount, repaired) = await CatalogueFacetCheck.CheckAsync(cache, host.ConnectionString, 20, default);

        Assert.Equal((1, 1), (checkedCount, repaired));
        var after = (await SearchAsync("")).Facets;
        Assert.Equal(1, after.CountOf(CatalogueFacets.Tag, "rack-a"));
        Assert.Equal(1, after.CountOf(CatalogueFacets.Tag, "rack-c"));
        Assert.Equal((1, 0), await CatalogueFacetCheck.CheckAsync(cache, host.ConnectionString, 20, default));
    }

    [Fact]
    public async Task PrunedChangesMakeTheCacheCountAfresh()
    {
        var cache = host.Services.GetRequiredService<CatalogueFacetCache>();
        await SearchAsync("");
        var counted = cache.FullCounts;
        await SqlAsync($"UPDATE \"Machines\" SET \"Tags\" = '{{rack-c}}' WHERE \"Id\" = {ids[0]}");
        await CatalogueFacetCheck.PruneAsync(host.ConnectionString, TimeSpan.Zero, default);

        var after = (await SearchAsync("")).Facets;

        Assert.Equal(1, after.CountOf(CatalogueFacets.Tag, "rack-c"));
        Assert.Equal(counted + 1, cache.FullCounts);
    }
}
