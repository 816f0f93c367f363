using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Catalogue;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Core.Tests.Catalogue;

/// <summary>Six machines with known hardware; every filter, sort and facet is checked against them.</summary>
public sealed class CatalogueFleet : IAsyncLifetime
{
    public CatalogueTestHost Host { get; private set; } = default!;
    public Dictionary<string, long> Ids { get; } = [];

    public async Task InitializeAsync()
    {
        Host = await CatalogueTestHost.StartAsync();
        var bmc = await Host.AddBmcAsync("02:00:00:00:00:01");
        Ids["a"] = await Host.AddMachineAsync(bmc, Facts.Of(serial: "a", cores: 16, threads: 32, memoryGiB: 128, cpu: "AMD EPYC 7313 16-Core Processor"), "rack-a");
        Ids["b"] = await Host.AddMachineAsync(bmc, Facts.Of(serial: "b", cores: 64, threads: 128, memoryGiB: 512, cpu: "AMD EPYC 7763 64-Core Processor",
            vendor: "GIGABYTE", model: "G292-Z20", gpus: ["NVIDIA A100 80GB PCIe", "NVIDIA A100 80GB PCIe"], disks: [("SSD", "NVMe", 3840), ("SSD", "NVMe", 3840)],
            nicMbps: [100_000, 1_000]), "rack-a", "gpu");
        Ids["c"] = await Host.AddMachineAsync(bmc, Facts.Of(serial: "c", cores: 32, threads: 64, memoryGiB: 256, cpu: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz",
            vendor: "HPE", model: "ProLiant DL380 Gen10 Plus", gpus: ["NVIDIA Tesla T4"], disks: [("HDD", "SAS", 16_000)], nicMbps: [25_000]), "rack-b");
        Ids["d"] = await Host.AddMachineAsync(bmc, Facts.Of(serial: "d", cores: 80, threads: 80, memoryGiB: 256, cpu: "Ampere Altra Q80-30", arch: "aarch64",
            vendor: "Supermicro", model: "ARS-210ME", disks: [("SSD", "SATA", 480)], nicMbps: [1_000]));
        Ids["e"] = await Host.AddMachineAsync(bmc, Facts.Of(serial: "e", cores: 64, threads: 128, memoryGiB: 512, cpu: "AMD EPYC 9554 64-Core Processor",
            vendor: "GIGABYTE", model: "G293", gpus: ["NVIDIA H100 PCIe", "NVIDIA H100 PCIe", "NVIDIA H100 PCIe", "NVIDIA H100 PCIe"], disks: [("SSD", "NVMe", 7680)], nicMbps: [100_000]));
        Ids["f"] = await Host.AddMachineAsync(bmc, Facts.Of(serial: "f"));
        Assert.True((await Host.ReserveAsync(CatalogueTestHost.User("zoe"), Ids["e"])).Succeeded);
        Assert.True((await Host.WithAsync<Reservations.Reservations, Outcome>(r => r.EnterMaintenanceAsync(Ids["f"], "fan", CatalogueTestHost.User("op", true)))).Succeeded);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public Task<CataloguePage> SearchAsync(string query) =>
        Host.WithAsync<MachineCatalogue, CataloguePage>(c => c.SearchAsync(CatalogueQuery.Parse(query)));
}

public sealed class CatalogueQueryTests(CatalogueFleet fleet) : IClassFixture<CatalogueFleet>
{
    private async Task<string[]> NamesAsync(string query) =>
        (await fleet.SearchAsync(query)).Rows.Select(r => r.Name).Order().ToArray();

    [Theory]
    [InlineData("", "a b c d")]
    [InlineData("state=Reserved", "e")]
    [InlineData("state=Maintenance", "f")]
    [InlineData("state=any", "a b c d e")]
    [InlineData("state=Available&state=Reserved", "a b c d e")]
    [InlineData("arch=aarch64", "d")]
    [InlineData("cores=64", "b d")]
    [InlineData("threads=100", "b")]
    [InlineData("memory=300", "b")]
    [InlineData("cpu=epyc", "a b")]
    [InlineData("cpu=XEON", "c")]
    [InlineData("cpu=100%25", "")]
    [InlineData("disk=HDD", "c")]
    [InlineData("disk=NVMe", "a b")]
    [InlineData("storage=5000", "b c")]
    [InlineData("disk=NVMe&storage=5000", "b")]
    [InlineData("gpu=NVIDIA+A100+80GB+PCIe", "b")]
    [InlineData("gpus=1", "b c")]
    [InlineData("gpus=2", "b")]
    [InlineData("nic=25000", "b c")]
    [InlineData("vendor=HPE", "c")]
    [InlineData("vendor=GIGABYTE&model=G292-Z20", "b")]
    [InlineData("tag=rack-a", "a b")]
    [InlineData("tag=rack-a&tag=gpu", "b")]
    [InlineData("tag=RACK-B", "c")]
    [InlineData("cores=64&gpus=1", "b")]
    [InlineData("state=any&cores=64&gpus=1", "b e")]
    public async Task EveryFilterNarrowsToTheMachinesThatHaveIt(string query, string expected)
    {
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), await NamesAsync(query));
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, (await fleet.SearchAsync(query)).Total);
    }

    [Theory]
    [InlineData("name"), InlineData("cpu"), InlineData("cores"), InlineData("threads"), InlineData("memory"), InlineData("gpus")]
    [InlineData("storage"), InlineData("nic"), InlineData("vendor"), InlineData("arch"), InlineData("state"), InlineData("power")]
    public async Task EverySortOrdersBothWays(string sort)
    {
        foreach (var desc in new[] { false, true })
        {
            var rows = (await fleet.SearchAsync($"state=any&sort={sort}{(desc ? "&dir=desc" : "")}")).Rows;
            var keys = rows.Select(r => Key(sort, r)).ToList();
            var expected = desc ? keys.OrderByDescending(k => k, Comparer<IComparable>.Default).ToList() : keys.Order(Comparer<IComparable>.Default).ToList();
            Assert.Equal(expected, keys);
            Assert.Equal(5, rows.Count);
        }
    }

    private static IComparable Key(string sort, CatalogueRow r) => sort switch
    {
        "cpu" => r.CpuModel!, "cores" => r.CpuCores, "threads" => r.CpuThreads, "memory" => r.MemoryBytes, "gpus" => r.GpuCount,
        "storage" => r.DiskTotalBytes, "nic" => r.NicMaxSpeedMbps, "vendor" => r.Manufacturer! + "|" + r.Model, "arch" => r.Architecture!,
        "state" => r.State.ToString(), "power" => r.PowerState, _ => r.Name,
    };

    [Fact]
    public async Task SortingByCoresDescendingPutsTheBiggestFirst()
    {
        var rows = (await fleet.SearchAsync("sort=cores&dir=desc")).Rows;
        Assert.Equal(["d", "b", "c", "a"], rows.Select(r => r.Name));
    }

    [Fact]
    public async Task PagesSplitTheResultWithoutOverlap()
    {
        var first = await fleet.SearchAsync("size=3");
        var second = await fleet.SearchAsync("size=3&page=2");
        var beyond = await fleet.SearchAsync("size=3&page=9");
        Assert.Equal(2, first.PageCount);
        Assert.Equal(3, first.Rows.Count);
        Assert.Single(second.Rows);
        Assert.Empty(first.Rows.Select(r => r.Id).Intersect(second.Rows.Select(r => r.Id)));
        Assert.Equal(second.Rows.Select(r => r.Id), beyond.Rows.Select(r => r.Id));
    }

    [Fact]
    public async Task FacetsCountTheMachinesBehindEachValue()
    {
        var f = (await fleet.SearchAsync("")).Facets;
        Assert.Equal(4, f.CountOf(CatalogueFacets.State, "Available"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.State, "Reserved"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.State, "Maintenance"));
        Assert.Equal(3, f.CountOf(CatalogueFacets.Arch, "x86_64"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Arch, "aarch64"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Vendor, "Dell Inc.")); // the other Dell is in maintenance
        Assert.Equal(1, f.CountOf(CatalogueFacets.Gpu, "NVIDIA A100 80GB PCIe"));
        Assert.Equal(0, f.CountOf(CatalogueFacets.Gpu, "NVIDIA H100 PCIe")); // only on the reserved machine
        Assert.Equal(2, f.CountOf(CatalogueFacets.Gpus, "1"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Gpus, "2"));
        Assert.Equal(2, f.CountOf(CatalogueFacets.Cores, "64"));
        Assert.Equal(4, f.CountOf(CatalogueFacets.Cores, "8"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Memory, "512"));
        Assert.Equal(2, f.CountOf(CatalogueFacets.Disk, "NVMe"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Disk, "HDD"));
        Assert.Equal(2, f.CountOf(CatalogueFacets.Tag, "rack-a"));
        Assert.Equal(4, f.CountOf(CatalogueFacets.Nic, "1000"));
        Assert.Equal(2, f.CountOf(CatalogueFacets.Nic, "25000"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Nic, "100000"));
        Assert.Equal(2, f.CountOf(CatalogueFacets.Storage, "4000"));
    }

    [Fact]
    public async Task FacetsFollowTheOtherFiltersButStateCountsStayVisible()
    {
        var f = (await fleet.SearchAsync("gpus=1")).Facets;
        Assert.Equal(2, f.CountOf(CatalogueFacets.State, "Available"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.State, "Reserved"));
        Assert.Equal(0, f.CountOf(CatalogueFacets.Arch, "aarch64"));
        Assert.Equal(1, f.CountOf(CatalogueFacets.Vendor, "HPE"));
    }

    [Fact]
    public void TheQueryRoundTripsThroughTheUrl()
    {
        var text = "state=Reserved&arch=x86_64&cores=64&threads=128&memory=256&cpu=EPYC%207763&disk=NVMe&storage=1000&gpu=NVIDIA%20A100&gpus=2&nic=25000&vendor=Dell&model=R650&tag=gpu&tag=rack-a&sort=cores&dir=desc&page=2&size=100";
        var query = CatalogueQuery.Parse(text);
        Assert.Equal(text, query.ToQueryString());
        Assert.Equal(query, CatalogueQuery.Parse(query.ToQueryString()));
        Assert.Equal("", CatalogueQuery.Parse("").ToQueryString());
        Assert.False(CatalogueQuery.Parse("sort=cores").HasFilters);
        Assert.True(CatalogueQuery.Parse("cores=8").HasFilters);
    }

    [Fact]
    public void NonsenseInTheUrlIsIgnored()
    {
        var q = CatalogueQuery.Parse("cores=lots&memory=-4&page=0&size=100000&sort=shoesize&state=Bogus");
        Assert.Null(q.MinCores);
        Assert.Null(q.MinMemoryGiB);
        Assert.Equal(1, q.Page);
        Assert.Equal(CatalogueQuery.MaxPageSize, q.PageSize);
        Assert.Equal(CatalogueSort.Name, q.Sort);
        Assert.Equal([MachineState.Available], q.States);
    }

    [Fact]
    public void AControlCharacterInTheUrlIsIgnoredLikeOtherNonsense()
    {
        var q = CatalogueQuery.Parse("vendor=Dell%00&cpu=%1B%5B2J&tag=gpu%00&tag=rack-a");
        Assert.Null(q.Vendor);
        Assert.Null(q.Cpu);
        Assert.Equal(["rack-a"], q.Tags);
    }

    [Theory]
    [InlineData("state=Bogus", "Unknown state \"Bogus\"")]
    [InlineData("state=Available,7", "Unknown state \"7\"")]
    [InlineData("sort=shoesize", "Unknown sort \"shoesize\"")]
    [InlineData("dir=up", "Unknown dir \"up\"")]
    public void TheApiHearsWhatTheUrlWouldIgnore(string text, string problem) =>
        Assert.StartsWith(problem, CatalogueQuery.Problem(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(text)));

    [Fact]
    public void AGoodQueryHasNoProblem() =>
        Assert.Null(CatalogueQuery.Problem(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery("state=any&state=Reserved&sort=cores&dir=DESC")));
}
