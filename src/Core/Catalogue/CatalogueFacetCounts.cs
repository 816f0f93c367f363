using System.Globalization;
using Npgsql;
using Portal.Core.Machines;

namespace Portal.Core.Catalogue;

/// <summary>
/// Facet counts as three statements run at the same time on pooled connections of their own, so
/// a two-core server works on them in parallel: the state counts (all filters but the state), the
/// hardware facets and the list facets (disk kinds, GPU models, tags; both under the whole filter).
/// The facets of one statement are grouped jointly rather than one GROUP BY per facet: hardware
/// facts come in models (a CPU model brings its architecture and cores, a server model its
/// vendor), so the matching machines fall into a few hundred combinations, which are then summed
/// per facet here. That is one hash lookup per row and group instead of one per facet, and it stays
/// correct (only slower) whatever the data. The "at least" facets group by the highest step
/// reached, so they add a handful of values, not every distinct size.
/// The rows come from the covering indexes of migration 0006, not the wide heap rows.
/// Measured on 50,000 machines this is several times cheaper than the earlier single statement,
/// whose materialised CTE spilled to disk and whose unnest() ran once per row per list facet.
/// Counts are cached against the catalogue revision (<see cref="CatalogueFacetCache"/>): a column
/// counted or filtered on here must also be in the revision trigger's column list (migration 0010).
/// </summary>
internal static class CatalogueFacetCounts
{
    /// <summary>A facet column: the SQL it groups by; list columns (arrays) count each element.</summary>
    private sealed record Column(string Facet, string Sql, int[]? Steps = null);

    /// <summary>Grouping sets, each a list of columns counted jointly.</summary>
    private static readonly Column[][] Hardware =
    [
        [
            new(CatalogueFacets.Arch, "\"Architecture\""),
            new(CatalogueFacets.Vendor, "\"Manufacturer\""),
            new(CatalogueFacets.Model, "\"Model\""),
            new(CatalogueFacets.Cpu, "\"CpuModel\""),
            Stepped(CatalogueFacets.Cores, "\"CpuCores\"", 1, CatalogueFacets.CoreSteps),
            Stepped(CatalogueFacets.Threads, "\"CpuThreads\"", 1, CatalogueFacets.ThreadSteps),
        ],
        [
            new(CatalogueFacets.Nic, "\"NicMaxSpeedMbps\""),
            Stepped(CatalogueFacets.Memory, "\"MemoryBytes\"", 1L << 30, CatalogueFacets.MemorySteps),
            Stepped(CatalogueFacets.Gpus, "\"GpuCount\"", 1, CatalogueFacets.GpuSteps),
            Stepped(CatalogueFacets.Storage, "\"DiskTotalBytes\"", 1_000_000_000, CatalogueFacets.StorageSteps),
        ],
    ];

    private static readonly Column[][] Lists =
    [
        [new(CatalogueFacets.Disk, "\"DiskKinds\""), new(CatalogueFacets.Gpu, "\"GpuModels\""), new(CatalogueFacets.Tag, "\"Tags\"")],
    ];

    private static readonly Column[][] States = [[new(CatalogueFacets.State, "\"State\"")]];

    private static Column Stepped(string facet, string column, long unit, int[] steps) =>
        new(facet, "CASE " + string.Concat(steps.Reverse().Select(s => $"WHEN {column} >= {s * unit} THEN {s} ")) + "ELSE 0 END", steps);

    /// <summary>
    /// The counts, and the catalogue revision they were counted at when all three statements saw the
    /// same one (each reads it in its own snapshot); null otherwise, and then they must not be cached.
    /// </summary>
    public static async Task<(Dictionary<string, List<FacetValue>> Values, long? Revision)> CountAsync(string connectionString, CatalogueFilter filter, CancellationToken ct)
    {
        var parts = await Task.WhenAll(
            QueryAsync(connectionString, filter, States, filter.WhereWithoutState, ct),
            QueryAsync(connectionString, filter, Hardware, filter.Where, ct),
            QueryAsync(connectionString, filter, Lists, filter.Where, ct));
        var revisions = parts.Select(p => p.Revision).Distinct().ToList();
        return (parts.SelectMany(p => p.Values).ToDictionary(kv => kv.Key, kv => kv.Value), revisions.Count == 1 ? revisions[0] : null);
    }

    /// <summary>
    /// The first output column says which grouping set a row belongs to (sets share no column); the
    /// last one is the catalogue revision, read in the same snapshot as the rows. The join keeps that
    /// one row when nothing matches (the grouping columns are null then).
    /// </summary>
    private static string Sql(Column[][] sets, string where)
    {
        var columns = sets.SelectMany(s => s).ToArray();
        var names = columns.Select((_, i) => $"c{i}").ToArray();
        var first = 0;
        var groups = new List<string>();
        var which = new List<string>();
        foreach (var set in sets)
        {
            groups.Add("(" + string.Join(", ", names.Skip(first).Take(set.Length)) + ")");
            which.Add($"WHEN GROUPING({names[first]}) = 0 THEN {which.Count} ");
            first += set.Length;
        }
        var select = sets.Length == 1 ? "0" : "CASE " + string.Concat(which) + "END";
        var groupBy = sets.Length == 1 ? string.Join(", ", names) : $"GROUPING SETS ({string.Join(", ", groups)})";
        return $"""
            SELECT g.*, r.revision
              FROM (SELECT ({CatalogueRevision.CurrentSql}) AS revision) r
              LEFT JOIN (
                SELECT {select} AS grouping_set, {string.Join(", ", names)}, count(*) AS n
                  FROM (SELECT {string.Join(", ", columns.Select((c, i) => $"{c.Sql} AS {names[i]}"))} FROM "Machines" WHERE {where}) m
                 GROUP BY {groupBy}) g ON TRUE
            """;
    }

    private static async Task<(Dictionary<string, List<FacetValue>> Values, long? Revision)> QueryAsync(
        string connectionString, CatalogueFilter filter, Column[][] sets, string where, CancellationToken ct)
    {
        var columns = sets.SelectMany(s => s).ToArray();
        var offsets = sets.Select((_, k) => sets.Take(k).Sum(s => s.Length)).ToArray();
        // value → machines, per column; a list counts its machine once per element.
        var counts = columns.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        long? revision = null;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(Sql(sets, where), connection);
            command.Parameters.AddRange(filter.Parameters());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                revision = reader.IsDBNull(reader.FieldCount - 1) ? null : reader.GetInt64(reader.FieldCount - 1);
                if (reader.IsDBNull(0)) continue; // no machine matches
                var set = reader.GetInt32(0);
                var n = reader.GetInt64(reader.FieldCount - 2);
                for (var i = offsets[set]; i < offsets[set] + sets[set].Length; i++)
                {
                    if (reader.IsDBNull(i + 1)) continue;
                    var value = reader.GetValue(i + 1);
                    foreach (var text in value is string[] elements ? elements : [Convert.ToString(value, CultureInfo.InvariantCulture)!])
                        counts[i][text] = counts[i].GetValueOrDefault(text) + n;
                }
            }
        }
        var result = new Dictionary<string, List<FacetValue>>();
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            if (column.Steps is { } steps)
            {
                var buckets = counts[i].Select(kv => (Step: int.Parse(kv.Key, CultureInfo.InvariantCulture), kv.Value)).ToList();
                result[column.Facet] = steps.Select(s => new FacetValue(s.ToString(CultureInfo.InvariantCulture),
                    (int)buckets.Where(b => b.Step >= s).Sum(b => b.Value))).ToList();
                continue;
            }
            // A speed of 0 means "unknown"; values no machine has are left out, as before.
            var list = counts[i].Where(kv => !(column.Facet == CatalogueFacets.Nic && kv.Key == "0"))
                .Select(kv => new FacetValue(kv.Key, (int)kv.Value)).ToList();
            if (list.Count > 0) result[column.Facet] = list;
        }
        return (result, revision);
    }
}
