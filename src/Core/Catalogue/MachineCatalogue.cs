using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Machines;
using Portal.Core.Persistence;

namespace Portal.Core.Catalogue;

/// <summary>The catalogue query: filtered, sorted, paged rows plus facet counts, in two round trips.</summary>
public sealed class MachineCatalogue(AppDbContext db)
{
    public async Task<CataloguePage> SearchAsync(CatalogueQuery query, CancellationToken ct = default)
    {
        var filter = new CatalogueFilter(query);
        var facets = await FacetsAsync(filter, ct);
        var total = facets[CatalogueFacets.State].Where(v => InStates(query, v.Value)).Sum(v => v.Count);
        // A page past the end (results shrank since the link was made) shows the last page instead.
        var pageCount = Math.Max(1, (total + query.PageSize - 1) / query.PageSize);
        if (query.Page > pageCount) query = query with { Page = pageCount };

        var machines = db.Machines.FromSqlRaw($"SELECT * FROM \"Machines\" WHERE {filter.Where}", filter.Parameters()).AsNoTracking();
        var rows = total == 0 ? [] : await Sorted(machines, query)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .Select(m => new CatalogueRow(m.Id, m.Name, m.Manufacturer, m.Model, m.Architecture, m.CpuModel, m.CpuSockets, m.CpuCores,
                m.CpuThreads, m.MemoryBytes, m.GpuCount, m.GpuModels, m.DiskTotalBytes, m.DiskKinds, m.NicMaxSpeedMbps, m.Tags,
                m.PowerState, m.State, m.ReservedById, m.ReservedByName, m.ReservedUntil))
            .ToListAsync(ct);
        return new CataloguePage(query, rows, total, facets);
    }

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

    /// <summary>
    /// Every facet in one statement: the rows matching all filters but the state are read once
    /// (a materialised CTE) and grouped per facet, so the cost is one scan however many facets.
    /// </summary>
    private async Task<CatalogueFacets> FacetsAsync(CatalogueFilter filter, CancellationToken ct)
    {
        var sql = $"""
            WITH f AS MATERIALIZED (
                SELECT {filter.StateCondition} AS hit, "State", "Architecture", "Manufacturer", "Model", "CpuModel", "DiskKinds",
                       "GpuModels", "NicMaxSpeedMbps", "Tags"
                  FROM "Machines" WHERE {filter.WhereWithoutState})
            SELECT 'state', "State", count(*) FROM f GROUP BY 2
            UNION ALL SELECT 'arch', "Architecture", count(*) FROM f WHERE hit AND "Architecture" IS NOT NULL GROUP BY 2
            UNION ALL SELECT 'vendor', "Manufacturer", count(*) FROM f WHERE hit AND "Manufacturer" IS NOT NULL GROUP BY 2
            UNION ALL SELECT 'model', "Model", count(*) FROM f WHERE hit AND "Model" IS NOT NULL GROUP BY 2
            UNION ALL SELECT 'cpu', "CpuModel", count(*) FROM f WHERE hit AND "CpuModel" IS NOT NULL GROUP BY 2
            UNION ALL SELECT 'disk', k, count(*) FROM f, unnest("DiskKinds") k WHERE hit GROUP BY 2
            UNION ALL SELECT 'gpu', g, count(*) FROM f, unnest("GpuModels") g WHERE hit GROUP BY 2
            UNION ALL SELECT 'tag', t, count(*) FROM f, unnest("Tags") t WHERE hit GROUP BY 2
            UNION ALL SELECT 'nic', "NicMaxSpeedMbps"::text, count(*) FROM f WHERE hit AND "NicMaxSpeedMbps" > 0 GROUP BY 2
            ;
            SELECT {Thresholds()} FROM "Machines" WHERE {filter.Where}
            """;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != ConnectionState.Open;
        if (opened) await connection.OpenAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(filter.Parameters());
            await using var reader = await command.ExecuteReaderAsync(ct);
            var values = new Dictionary<string, List<FacetValue>>();
            while (await reader.ReadAsync(ct))
            {
                var facet = reader.GetString(0);
                if (!values.TryGetValue(facet, out var list)) values[facet] = list = [];
                list.Add(new FacetValue(reader.GetString(1), (int)reader.GetInt64(2)));
            }
            // Second statement: one row of "at least" counts, read into facets of their own.
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            var column = 0;
            foreach (var (facet, _, steps) in StepFacets)
                values[facet] = steps.Select(s => new FacetValue(s.ToString(CultureInfo.InvariantCulture), (int)reader.GetInt64(column++))).ToList();
            return new CatalogueFacets(values.ToDictionary(kv => kv.Key, kv => Order(kv.Key, kv.Value)));
        }
        finally
        {
            if (opened) await connection.CloseAsync();
        }
    }

    private static readonly (string Facet, string Expression, int[] Steps)[] StepFacets =
    [
        (CatalogueFacets.Cores, "\"CpuCores\" >= {0}", CatalogueFacets.CoreSteps),
        (CatalogueFacets.Threads, "\"CpuThreads\" >= {0}", CatalogueFacets.ThreadSteps),
        (CatalogueFacets.Memory, "\"MemoryBytes\" >= {0}::bigint * 1073741824", CatalogueFacets.MemorySteps),
        (CatalogueFacets.Gpus, "\"GpuCount\" >= {0}", CatalogueFacets.GpuSteps),
        (CatalogueFacets.Storage, "\"DiskTotalBytes\" >= {0}::bigint * 1000000000", CatalogueFacets.StorageSteps),
    ];

    /// <summary>Every threshold count as one aggregate of a single scan: count(*) FILTER (WHERE ...) per step.</summary>
    private static string Thresholds() => string.Join(", ", StepFacets.SelectMany(f => f.Steps.Select(s =>
        "count(*) FILTER (WHERE " + string.Format(CultureInfo.InvariantCulture, f.Expression, s) + ")")));

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
