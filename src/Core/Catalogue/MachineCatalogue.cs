using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Persistence;

namespace Portal.Core.Catalogue;

/// <summary>
/// The catalogue query: filtered, sorted, paged rows plus facet counts. The page is read through
/// EF while the facets are counted on other connections at the same time (see
/// <see cref="CatalogueFacetCounts"/>), unless the counts of this filter at the current catalogue
/// revision are cached (<see cref="CatalogueFacetCache"/>: paging and sorting keep the filter);
/// the page is read again only when it lies past the end.
/// </summary>
public sealed class MachineCatalogue(AppDbContext db, CatalogueFacetCache cache)
{
    public async Task<CataloguePage> SearchAsync(CatalogueQuery query, CancellationToken ct = default)
    {
        var cpuModels = query.Cpu is null ? null
            : await db.Database.SqlQueryRaw<string>(CatalogueFilter.CpuModelsMatchingSql, CatalogueFilter.CpuPattern(query.Cpu)).ToListAsync(ct);
        var filter = new CatalogueFilter(query, cpuModels);
        // The facets depend on the filter only; sort and page are left out of the key.
        var key = (query with { Sort = CatalogueSort.Name, Descending = false, Page = 1, PageSize = CatalogueQuery.DefaultPageSize }).ToQueryString();
        var revision = (await db.Database.SqlQueryRaw<long>(CatalogueRevision.CurrentSql).ToListAsync(ct)).Select(n => (long?)n).FirstOrDefault();
        var counting = revision is { } current && cache.TryGet(current, key, out var cached) ? Task.FromResult(cached) : CountAsync(filter, key, ct);
        List<CatalogueRow> rows;
        try
        {
            rows = await RowsAsync(filter, query, ct);
        }
        finally
        {
            // Never leave the counting running unobserved, whatever happened to the page.
            await ((Task)counting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        var facets = await counting;
        var total = facets[CatalogueFacets.State].Where(v => InStates(query, v.Value)).Sum(v => v.Count);
        // A page past the end (results shrank since the link was made) shows the last page instead.
        var pageCount = Math.Max(1, (total + query.PageSize - 1) / query.PageSize);
        if (query.Page > pageCount)
        {
            query = query with { Page = pageCount };
            rows = total == 0 ? [] : await RowsAsync(filter, query, ct);
        }
        return new CataloguePage(query, rows, total, facets);
    }

    private async Task<CatalogueFacets> CountAsync(CatalogueFilter filter, string key, CancellationToken ct)
    {
        var (values, revision) = await CatalogueFacetCounts.CountAsync(db.Database.GetConnectionString()!, filter, ct);
        var facets = new CatalogueFacets(values.ToDictionary(kv => kv.Key, kv => Order(kv.Key, kv.Value)));
        if (revision is { } counted) cache.Add(counted, key, facets);
        return facets;
    }

    private Task<List<CatalogueRow>> RowsAsync(CatalogueFilter filter, CatalogueQuery query, CancellationToken ct) =>
        Sorted(db.Machines.FromSqlRaw($"SELECT * FROM \"Machines\" WHERE {filter.Where}", filter.Parameters()).AsNoTracking(), query)
            .Skip((int)Math.Min(int.MaxValue, ((long)query.Page - 1) * query.PageSize)).Take(query.PageSize) // page=2147483647 must not overflow
            .Select(m => new CatalogueRow(m.Id, m.Name, m.Manufacturer, m.Model, m.Architecture, m.CpuModel, m.CpuSockets, m.CpuCores,
                m.CpuThreads, m.MemoryBytes, m.GpuCount, m.GpuModels, m.DiskTotalBytes, m.DiskKinds, m.NicMaxSpeedMbps, m.Tags,
                m.PowerState, m.State, m.ReservedById, m.ReservedByName, m.ReservedUntil))
            .ToListAsync(ct);

    private static bool InStates(CatalogueQuery q, string state) =>
        q.States.Count == 0 ? state != nameof(MachineState.Maintenance) : q.States.Any(s => s.ToString() == state);

    private static IQueryable<Machine> Sorted(IQueryable<Machine> m, CatalogueQuery q) => (q.Sort, q.Descending) switch
    {
        (CatalogueSort.Cpu, false) => m.OrderBy(x => x.CpuModel).ThenBy(x => x.Id),
        (CatalogueSort.Cpu, true) => m.OrderByDescending(x => x.CpuModel).ThenByDescending(x => x.Id),
        (CatalogueSort.Cores, false) => m.OrderBy(x => x.CpuCores).ThenBy(x => x.Id),
        (CatalogueSort.Cores, true) => m.OrderByDescending(x => x.CpuCores).ThenByDescending(x => x.Id),
        (CatalogueSort.Threads, false) => m.OrderBy(x => x.CpuThreads).ThenBy(x => x.Id),
        (CatalogueSort.Threads, true) => m.OrderByDescending(x => x.CpuThreads).ThenByDescending(x => x.Id),
        (CatalogueSort.Memory, false) => m.OrderBy(x => x.MemoryBytes).ThenBy(x => x.Id),
        (CatalogueSort.Memory, true) => m.OrderByDescending(x => x.MemoryBytes).ThenByDescending(x => x.Id),
        (CatalogueSort.Gpus, false) => m.OrderBy(x => x.GpuCount).ThenBy(x => x.Id),
        (CatalogueSort.Gpus, true) => m.OrderByDescending(x => x.GpuCount).ThenByDescending(x => x.Id),
        (CatalogueSort.Storage, false) => m.OrderBy(x => x.DiskTotalBytes).ThenBy(x => x.Id),
        (CatalogueSort.Storage, true) => m.OrderByDescending(x => x.DiskTotalBytes).ThenByDescending(x => x.Id),
        (CatalogueSort.Nic, false) => m.OrderBy(x => x.NicMaxSpeedMbps).ThenBy(x => x.Id),
        (CatalogueSort.Nic, true) => m.OrderByDescending(x => x.NicMaxSpeedMbps).ThenByDescending(x => x.Id),
        (CatalogueSort.Vendor, false) => m.OrderBy(x => x.Manufacturer).ThenBy(x => x.Model).ThenBy(x => x.Id),
        (CatalogueSort.Vendor, true) => m.OrderByDescending(x => x.Manufacturer).ThenByDescending(x => x.Model).ThenByDescending(x => x.Id),
        (CatalogueSort.Arch, false) => m.OrderBy(x => x.Architecture).ThenBy(x => x.Id),
        (CatalogueSort.Arch, true) => m.OrderByDescending(x => x.Architecture).ThenByDescending(x => x.Id),
        (CatalogueSort.State, false) => m.OrderBy(x => x.State).ThenBy(x => x.Id),
        (CatalogueSort.State, true) => m.OrderByDescending(x => x.State).ThenByDescending(x => x.Id),
        (CatalogueSort.Power, false) => m.OrderBy(x => x.PowerState).ThenBy(x => x.Id),
        (CatalogueSort.Power, true) => m.OrderByDescending(x => x.PowerState).ThenByDescending(x => x.Id),
        (_, true) => m.OrderByDescending(x => x.Name).ThenByDescending(x => x.Id),
        _ => m.OrderBy(x => x.Name).ThenBy(x => x.Id),
    };

    private static IReadOnlyList<FacetValue> Order(string facet, List<FacetValue> values) => facet switch
    {
        CatalogueFacets.State => values.OrderBy(v => Enum.TryParse<MachineState>(v.Value, out var s) ? (int)s : 99).ToList(),
        // Stored per exact speed; the filter is "at least", so the counts are too.
        CatalogueFacets.Nic => values.Select(v => (Speed: long.Parse(v.Value, CultureInfo.InvariantCulture), v.Count)).OrderBy(v => v.Speed)
            .Select((v, _) => new FacetValue(v.Speed.ToString(CultureInfo.InvariantCulture),
                values.Where(o => long.Parse(o.Value, CultureInfo.InvariantCulture) >= v.Speed).Sum(o => o.Count))).ToList(),
        CatalogueFacets.Cores or CatalogueFacets.Threads or CatalogueFacets.Memory or CatalogueFacets.Gpus or CatalogueFacets.Storage =>
            values.OrderBy(v => long.Parse(v.Value, CultureInfo.InvariantCulture)).ToList(),
        _ => values.OrderByDescending(v => v.Count).ThenBy(v => v.Value, StringComparer.Ordinal).ToList(),
    };
}
