using System.Text.Json.Serialization;
using Portal.Core.Machines;

namespace Portal.Core.Catalogue;

/// <summary>One page of the catalogue: the rows, how many match in total, and the facet counts.</summary>
public sealed record CataloguePage(CatalogueQuery Query, IReadOnlyList<CatalogueRow> Rows, int Total, CatalogueFacets Facets)
{
    public int PageCount => Math.Max(1, (Total + Query.PageSize - 1) / Query.PageSize);
}

/// <summary>What a catalogue row shows: the facts people choose by, never the jsonb detail lists.</summary>
public sealed record CatalogueRow(
    long Id, string Name, string? Manufacturer, string? Model, string? Architecture, string? CpuModel, int CpuSockets,
    int CpuCores, int CpuThreads, long MemoryBytes, int GpuCount, List<string> GpuModels, long DiskTotalBytes,
    List<string> DiskKinds, long NicMaxSpeedMbps, List<string> Tags, string PowerState, [property: JsonConverter(typeof(JsonStringEnumConverter<MachineState>))] MachineState State,
    string? ReservedById, string? ReservedByName, DateTimeOffset? ReservedUntil);

/// <summary>One value of a facet and how many machines have it.</summary>
public sealed record FacetValue(string Value, int Count);

/// <summary>
/// Counts next to each filter value. The state facet counts every state under the other filters
/// (so "Reserved 12" shows while looking at Available ones); the others count within the current
/// result. The "at least" facets count machines at or above each threshold.
/// </summary>
public sealed record CatalogueFacets(IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Values)
{
    public const string State = "state", Arch = "arch", Vendor = "vendor", Model = "model", Cpu = "cpu", Disk = "disk",
        Gpu = "gpu", Nic = "nic", Tag = "tag", Cores = "cores", Threads = "threads", Memory = "memory", Gpus = "gpus", Storage = "storage";

    public static readonly int[] CoreSteps = [8, 16, 32, 64, 128];
    public static readonly int[] ThreadSteps = [16, 32, 64, 128, 256];
    public static readonly int[] MemorySteps = [64, 128, 256, 512, 1024];
    public static readonly int[] GpuSteps = [1, 2, 4, 8];
    public static readonly int[] StorageSteps = [1000, 4000, 10000, 50000];

    public IReadOnlyList<FacetValue> this[string facet] => Values.TryGetValue(facet, out var v) ? v : [];

    public int CountOf(string facet, string value) => this[facet].FirstOrDefault(v => v.Value == value)?.Count ?? 0;
}
