using Microsoft.Extensions.Logging;

namespace Portal.Core.Catalogue;

/// <summary>
/// Facet counts of recent filters, all at one catalogue revision (<see cref="CatalogueRevision"/>),
/// kept current by the changes migration 0020 records with every revision: a search reads the
/// changes since the revision held here in the same round trip as its rows (<see cref="MachineCatalogue"/>)
/// and each is added to or taken from every filter it matches, so counts stay exact at the newest
/// commit a search has seen without reading 50,000 machines again. Counted afresh only for a filter
/// not held yet, when changes are missing (pruned, or more than <see cref="MaxChangesRead"/> at
/// once), after a TRUNCATE, or when C# cannot decide a CPU match as the SQL does.
/// <see cref="CatalogueFacetCheck"/> compares the held counts with full counts now and then.
/// </summary>
public sealed class CatalogueFacetCache(ILogger<CatalogueFacetCache> logger)
{
    /// <summary>Filters held; beyond that the least recently used one makes room.</summary>
    private const int MaxEntries = 1000;

    /// <summary>Changes read per search at most; a longer gap (a bulk import) is cheaper to count afresh.</summary>
    internal const int MaxChangesRead = 5000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private long revision = -1;
    private long uses;
    private long fullCounts;

    /// <summary>The revision every held count is at; -1 before the first search.</summary>
    internal long Revision { get { lock (gate) return revision; } }

    /// <summary>Full counts made so far (tests and benches read it: after a change this stays put).</summary>
    public long FullCounts => Interlocked.Read(ref fullCounts);

    internal void CountedInFull() => Interlocked.Increment(ref fullCounts);

    internal bool TryGet(string key, out CatalogueFacets facets)
    {
        lock (gate)
        {
            if (entries.TryGetValue(key, out var entry))
            {
                entry.LastUse = ++uses;
                facets = entry.Facets;
                return true;
            }
        }
        facets = default!;
        return false;
    }

    /// <summary>
    /// Brings every held count from the revision it is at to <paramref name="to"/> with the changes
    /// read since <paramref name="since"/>; <paramref name="complete"/> says every revision in
    /// between had its rows. Another search may have got further meanwhile: only newer changes apply.
    /// </summary>
    internal void Advance(long since, long to, IReadOnlyList<(long Revision, int Sign, CountedMachine? Machine)> changes, bool complete)
    {
        lock (gate)
        {
            if (to <= revision) return;
            if (revision < since || !complete || changes.Any(c => c.Revision > revision && c.Sign == 0))
            {
                if (entries.Count > 0) logger.LogDebug("Catalogue facet counts: changes to revision {Revision} not all readable; counting afresh", to);
                entries.Clear();
            }
            else
            {
                foreach (var (key, entry) in entries.ToList())
                    if (!entry.Apply(changes.Where(c => c.Revision > revision))) entries.Remove(key);
            }
            revision = to;
        }
    }

    /// <summary>
    /// Keeps counts made in full at <paramref name="countedAt"/>, when that is the revision held
    /// here (or -1 before the first search); counts of another moment are served, not kept.
    /// </summary>
    internal void Add(string key, CatalogueFilter filter, FacetTally tally, CatalogueFacets facets, long countedAt)
    {
        lock (gate)
        {
            if (revision == -1) revision = countedAt;
            if (countedAt != revision) return;
            if (entries.Count >= MaxEntries && !entries.ContainsKey(key))
                entries.Remove(entries.MinBy(e => e.Value.LastUse).Key);
            entries[key] = new Entry(filter, tally, facets) { LastUse = ++uses };
        }
    }

    /// <summary>The filters held, most recently used first, with their revision (for the check).</summary>
    internal (long Revision, List<(string Key, CatalogueFilter Filter)> Filters) Held(int max)
    {
        lock (gate)
            return (revision, entries.OrderByDescending(e => e.Value.LastUse).Take(max).Select(e => (e.Key, e.Value.Filter)).ToList());
    }

    /// <summary>
    /// Compares a held count with a full count made at <paramref name="countedAt"/>; a difference is
    /// logged and the full count replaces the held one. Null when they are not at the same revision.
    /// </summary>
    internal bool? Verify(string key, FacetTally full, long countedAt)
    {
        lock (gate)
        {
            if (countedAt != revision || !entries.TryGetValue(key, out var entry)) return null;
            if (entry.Tally.SameAs(full)) return true;
            logger.LogError("Catalogue facet counts of '?{Filter}' at revision {Revision} differed from a full count; replaced by it. " +
                "Held: {Held}; counted: {Counted}", key, countedAt, Describe(entry.Facets), Describe(full.ToFacets()));
            entries[key] = new Entry(entry.Filter, full, full.ToFacets()) { LastUse = entry.LastUse };
            return false;
        }
    }

    private static string Describe(CatalogueFacets facets) =>
        string.Join("; ", facets.Values.Select(f => f.Key + ": " + string.Join(", ", f.Value.Select(v => $"{v.Value}={v.Count}"))));

    private sealed class Entry(CatalogueFilter filter, FacetTally tally, CatalogueFacets facets)
    {
        public CatalogueFilter Filter { get; } = filter;
        public FacetTally Tally { get; } = tally;
        public CatalogueFacets Facets { get; private set; } = facets;
        public long LastUse { get; set; }

        /// <summary>False when a change cannot be applied here and the filter must be counted afresh.</summary>
        public bool Apply(IEnumerable<(long Revision, int Sign, CountedMachine? Machine)> changes)
        {
            var changed = false;
            foreach (var (_, sign, machine) in changes)
            {
                switch (Tally.Apply(Filter, machine!, sign))
                {
                    case null: return false;
                    case true: changed = true; break;
                }
            }
            // A new object only when counts may differ: the page compares by reference to skip work.
            if (changed) Facets = Tally.ToFacets();
            return true;
        }
    }
}
