using System.Globalization;
using Portal.Core.Catalogue;

namespace Portal.Machines;

/// <summary>One value a facet filter offers, with how many machines it would give.</summary>
internal sealed record FacetOption(string Value, string Text, int Count);

/// <summary>
/// The catalogue's select filters, declared once: which facet counts it, how it reads and writes
/// the query, and how its values read. The page draws one select per entry; the state filter, the
/// CPU text and the tags have shapes of their own and are drawn by the page.
/// </summary>
internal sealed record CatalogueFacetFilter(string Facet, string Label, Func<CatalogueQuery, string?> Get,
    Func<CatalogueQuery, string?, CatalogueQuery> Set, Func<string, string>? AtLeast = null)
{
    public static readonly IReadOnlyList<CatalogueFacetFilter> All =
    [
        new(CatalogueFacets.Arch, "Architecture", q => q.Architecture, (q, v) => q with { Architecture = v }),
        new(CatalogueFacets.Cores, "CPU cores", q => Str(q.MinCores), (q, v) => q with { MinCores = Int(v) }, s => $"≥ {s} cores"),
        new(CatalogueFacets.Threads, "CPU threads", q => Str(q.MinThreads), (q, v) => q with { MinThreads = Int(v) }, s => $"≥ {s} threads"),
        new(CatalogueFacets.Memory, "Memory", q => Str(q.MinMemoryGiB), (q, v) => q with { MinMemoryGiB = Int(v) }, s => $"≥ {s} GiB"),
        new(CatalogueFacets.Disk, "Disk type", q => q.DiskKind, (q, v) => q with { DiskKind = v }),
        new(CatalogueFacets.Storage, "Total storage", q => Str(q.MinStorageGB), (q, v) => q with { MinStorageGB = Int(v) },
            s => $"≥ {Units.Storage(long.Parse(s, CultureInfo.InvariantCulture) * 1_000_000_000)}"),
        new(CatalogueFacets.Gpu, "GPU model", q => q.Gpu, (q, v) => q with { Gpu = v }),
        new(CatalogueFacets.Gpus, "GPUs", q => Str(q.MinGpus), (q, v) => q with { MinGpus = Int(v) }, s => $"≥ {s} GPU{(s == "1" ? "" : "s")}"),
        new(CatalogueFacets.Nic, "NIC speed", q => Str(q.MinNicMbps), (q, v) => q with { MinNicMbps = Int(v) },
            s => $"≥ {Units.Speed(long.Parse(s, CultureInfo.InvariantCulture))}"),
        new(CatalogueFacets.Vendor, "Vendor", q => q.Vendor, (q, v) => q with { Vendor = v }),
        new(CatalogueFacets.Model, "Model", q => q.Model, (q, v) => q with { Model = v }),
    ];

    /// <summary>The values to offer: "at least" facets only thresholds some machine reaches; the current value always.</summary>
    public IReadOnlyList<FacetOption> Options(CatalogueFacets facets, CatalogueQuery query)
    {
        var options = facets[Facet].Where(v => AtLeast is null || v.Count > 0)
            .Select(v => new FacetOption(v.Value, AtLeast?.Invoke(v.Value) ?? v.Value, v.Count)).ToList();
        if (Get(query) is { } current && options.All(o => o.Value != current))
            options.Add(new FacetOption(current, AtLeast is null || !long.TryParse(current, out _) ? current : AtLeast(current), 0));
        return options;
    }

    private static string? Str(long? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static int? Int(string? v) => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i > 0 ? i : null;
}
