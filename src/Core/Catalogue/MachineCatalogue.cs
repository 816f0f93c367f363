using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Npgsql;
using Portal.Core.Persistence;

namespace Portal.Core.Catalogue;

/// <summary>
/// The catalogue query: filtered, sorted, paged rows plus facet counts, in one round trip when the
/// counts of the filter are held (<see cref="CatalogueFacetCache"/>): one batch reads the page and the
/// catalogue's changes since the revision the cache holds, which bring every held count up to date.
/// A filter not held yet is counted on other connections at the same time as the batch (see
/// <see cref="CatalogueFacetCounts"/>). The page is read again only when it lies past the end.
/// </summary>
public sealed class MachineCatalogue(AppDbContext db, CatalogueFacetCache cache)
{
    public async Task<CataloguePage> SearchAsync(CatalogueQuery query, CancellationToken ct = default)
    {
        var filter = new CatalogueFilter(query);
        // The facets depend on the filter only; sort and page are left out of the key.
        var key = (query with { Sort = CatalogueSort.Name, Descending = false, Page = 1, PageSize = CatalogueQuery.DefaultPageSize }).ToQueryString();
        var counting = cache.TryGet(key, out _) ? null : CountAsync(filter, ct);
        var since = cache.Revision;
        Batch batch;
        try
        {
            batch = await ReadAsync(filter, query, since, ct);
        }
        finally
        {
            // Never leave the counting running unobserved, whatever happened to the page.
            if (counting is not null) await ((Task)counting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        cache.Advance(since, batch.Revision, batch.Changes, batch.Complete);
        CatalogueFacets facets;
        if (counting is not null) facets = Keep(key, filter, await counting, since, batch);
        else if (cache.TryGet(key, out var current)) facets = current;
        else facets = Keep(key, filter, await CountAsync(filter, ct), batch.Revision, batch); // a change it could not apply dropped it

        var rows = batch.Rows;
        var total = facets[CatalogueFacets.State].Where(v => InStates(query, v.Value)).Sum(v => v.Count);
        // A page past the end (results shrank since the link was made) shows the last page instead.
        var pageCount = Math.Max(1, (total + query.PageSize - 1) / query.PageSize);
        if (query.Page > pageCount)
        {
            query = query with { Page = pageCount };
            rows = total == 0 ? [] : (await ReadAsync(filter, query, since: -1, ct)).Rows;
        }
        return new CataloguePage(query, rows, total, facets);
    }

    /// <summary>
    /// Full counts are kept when they are at the cache's revision; counts a little older are first
    /// brought up to the batch's revision with the changes it read.
    /// </summary>
    private CatalogueFacets Keep(string key, CatalogueFilter filter, (FacetTally Tally, long? Revision) counted, long since, Batch batch)
    {
        var (tally, at) = counted;
        if (at is not { } revision) return tally.ToFacets();
        if (revision < batch.Revision && revision >= since && batch.Complete)
        {
            foreach (var (_, sign, machine) in batch.Changes.Where(c => c.Revision > revision))
                if (sign == 0 || tally.Apply(filter, machine!, sign) is null) return tally.ToFacets();
            revision = batch.Revision;
        }
        var facets = tally.ToFacets();
        cache.Add(key, filter, tally, facets, revision);
        return facets;
    }

    private async Task<(FacetTally, long?)> CountAsync(CatalogueFilter filter, CancellationToken ct)
    {
        cache.CountedInFull();
        return await CatalogueFacetCounts.CountAsync(db.Database.GetConnectionString()!, filter, ct);
    }

    private sealed record Batch(IReadOnlyList<CatalogueRow> Rows, long Revision, List<(long Revision, int Sign, CountedMachine? Machine)> Changes, bool Complete);

    /// <summary>
    /// One round trip: the revision with the changes after <paramref name="since"/> (none when it is
    /// -1: nothing is held), then the page. Both statements run on the context's connection.
    /// </summary>
    private async Task<Batch> ReadAsync(CatalogueFilter filter, CatalogueQuery query, long since, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            var changes = new NpgsqlBatchCommand($"""
                SELECT r."Number", c."Revision", c."Sign", {CountedMachineColumns("c")}
                  FROM "CatalogueRevision" r
                  LEFT JOIN LATERAL (SELECT * FROM "CatalogueChanges" c WHERE c."Revision" > @since AND c."Revision" <= r."Number"
                                      ORDER BY c."Revision", c."Id" LIMIT @limit) c ON TRUE
                 WHERE r."Id" = 1
                """);
            changes.Parameters.AddWithValue("since", since);
            changes.Parameters.AddWithValue("limit", since < 0 ? 0 : CatalogueFacetCache.MaxChangesRead);
            var rows = new NpgsqlBatchCommand($"""
                SELECT "Id", "Name", "Manufacturer", "Model", "Architecture", "CpuModel", "CpuSockets", "CpuCores", "CpuThreads", "MemoryBytes",
                       "GpuCount", "GpuModels", "DiskTotalBytes", "DiskKinds", "NicMaxSpeedMbps", "Tags", "PowerState", "State",
                       "ReservedById", "ReservedByName", "ReservedUntil"
                  FROM "Machines" WHERE {filter.Where}
                 ORDER BY {OrderBy(query)} LIMIT @size OFFSET @skip
                """);
            rows.Parameters.AddRange(filter.Parameters());
            rows.Parameters.AddWithValue("size", query.PageSize);
            rows.Parameters.AddWithValue("skip", Math.Min(int.MaxValue, ((long)query.Page - 1) * query.PageSize)); // page=2147483647 must not overflow
            batch.BatchCommands.Add(changes);
            batch.BatchCommands.Add(rows);

            await using var reader = await batch.ExecuteReaderAsync(ct);
            long revision = -1;
            var read = new List<(long, int, CountedMachine?)>();
            while (await reader.ReadAsync(ct))
            {
                revision = reader.GetInt64(0);
                if (reader.IsDBNull(1)) continue;
                var sign = reader.GetInt16(2);
                read.Add((reader.GetInt64(1), sign, sign == 0 ? null : CountedMachine.Read(reader, 3)));
            }
            // Every revision in between has rows unless some were pruned; a full read ends short of the limit.
            var complete = since >= 0 && read.Count < CatalogueFacetCache.MaxChangesRead
                && read.Select(c => c.Item1).Distinct().Count() == revision - since;
            await reader.NextResultAsync(ct);
            var page = new List<CatalogueRow>();
            while (await reader.ReadAsync(ct)) page.Add(Row(reader));
            return new Batch(page, revision, read, complete);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string CountedMachineColumns(string alias) =>
        string.Join(", ", CountedMachine.Columns.Split(',', StringSplitOptions.TrimEntries).Select(c => $"{alias}.{c}"));

    private static CatalogueRow Row(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt64(9),
        r.GetInt32(10), [.. r.GetFieldValue<string[]>(11)], r.GetInt64(12), [.. r.GetFieldValue<string[]>(13)], r.GetInt64(14), [.. r.GetFieldValue<string[]>(15)],
        r.GetString(16), Enum.Parse<MachineState>(r.GetString(17)), Text(r, 18), Text(r, 19),
        r.IsDBNull(20) ? null : r.GetFieldValue<DateTimeOffset>(20));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static bool InStates(CatalogueQuery q, string state) =>
        q.States.Count == 0 ? state != nameof(MachineState.Maintenance) : q.States.Any(s => s.ToString() == state);

    /// <summary>Each sort ends with the id, so pages never overlap or skip a machine.</summary>
    private static string OrderBy(CatalogueQuery q)
    {
        string[] columns = q.Sort switch
        {
            CatalogueSort.Cpu => ["CpuModel"],
            CatalogueSort.Cores => ["CpuCores"],
            CatalogueSort.Threads => ["CpuThreads"],
            CatalogueSort.Memory => ["MemoryBytes"],
            CatalogueSort.Gpus => ["GpuCount"],
            CatalogueSort.Storage => ["DiskTotalBytes"],
            CatalogueSort.Nic => ["NicMaxSpeedMbps"],
            CatalogueSort.Vendor => ["Manufacturer", "Model"],
            CatalogueSort.Arch => ["Architecture"],
            CatalogueSort.State => ["State"],
            CatalogueSort.Power => ["PowerState"],
            _ => ["Name"],
        };
        return string.Join(", ", columns.Append("Id").Select(c => $"\"{c}\"" + (q.Descending ? " DESC" : "")));
    }
}
