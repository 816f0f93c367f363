using Microsoft.EntityFrameworkCore;
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
}
