using System.Collections.Concurrent;

namespace Portal.Core.Catalogue;

/// <summary>
/// Facet counts of recent filters, each valid for the catalogue revision it was counted at
/// (<see cref="CatalogueRevision"/>). Counting facets reads every matching machine (tens of
/// thousands of rows for the default view), while paging, sorting and re-fetching a view keep its
/// filter and so its counts; those are served from here until a machine changes.
/// Any change makes every entry stale at once: the revision is global, so the first lookup that
/// sees a newer number starts an empty generation. That is correct whatever changed, and changes
/// (reservations, state moves, inventories) are rare next to the searches that browse between them.
/// Results counted at an older revision than the current generation's are dropped, never stored.
/// </summary>
public sealed class CatalogueFacetCache
{
    /// <summary>Distinct filters kept per revision; beyond that, new filters are counted but not kept.</summary>
    private const int MaxEntries = 1000;

    private Generation current = new(-1);

    internal bool TryGet(long revision, string filterKey, out CatalogueFacets facets)
    {
        var generation = At(revision);
        facets = default!;
        return generation is not null && generation.Entries.TryGetValue(filterKey, out facets!);
    }

    internal void Add(long revision, string filterKey, CatalogueFacets facets)
    {
        var generation = At(revision);
        if (generation is not null && generation.Entries.Count < MaxEntries) generation.Entries.TryAdd(filterKey, facets);
    }

    /// <summary>The generation for this revision (started when it is newer); null when the revision is already old.</summary>
    private Generation? At(long revision)
    {
        while (true)
        {
            var seen = Volatile.Read(ref current);
            if (seen.Revision == revision) return seen;
            if (seen.Revision > revision) return null;
            var next = new Generation(revision);
            if (Interlocked.CompareExchange(ref current, next, seen) == seen) return next;
        }
    }

    private sealed class Generation(long revision)
    {
        public long Revision { get; } = revision;
        public ConcurrentDictionary<string, CatalogueFacets> Entries { get; } = new(StringComparer.Ordinal);
    }
}
