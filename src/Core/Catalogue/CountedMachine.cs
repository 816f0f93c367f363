using System.Data.Common;

namespace Portal.Core.Catalogue;

/// <summary>
/// The columns of a machine that the catalogue filters and counts by, as a change row of migration
/// 0020 carries them; with <see cref="CatalogueFilter.Matches"/> and <see cref="FacetTally"/> the
/// catalogue applies a change to counts it holds the way the SQL would have counted the machine.
/// </summary>
internal sealed record CountedMachine(
    string? State, string? Architecture, string? Manufacturer, string? Model, string? CpuModel, int CpuCores, int CpuThreads,
    long MemoryBytes, int GpuCount, long DiskTotalBytes, long NicMaxSpeedMbps, string?[]? DiskKinds, string?[]? GpuModels, string?[]? Tags)
{
    /// <summary>The SELECT list that <see cref="Read"/> reads, starting at <paramref name="first"/>.</summary>
    public const string Columns = """
        "State", "Architecture", "Manufacturer", "Model", "CpuModel", "CpuCores", "CpuThreads", "MemoryBytes", "GpuCount",
        "DiskTotalBytes", "NicMaxSpeedMbps", "DiskKinds", "GpuModels", "Tags"
        """;

    public static CountedMachine Read(DbDataReader r, int first) => new(
        Text(r, first), Text(r, first + 1), Text(r, first + 2), Text(r, first + 3), Text(r, first + 4),
        r.GetInt32(first + 5), r.GetInt32(first + 6), r.GetInt64(first + 7), r.GetInt32(first + 8), r.GetInt64(first + 9), r.GetInt64(first + 10),
        List(r, first + 11), List(r, first + 12), List(r, first + 13));

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static string?[]? List(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<string?[]>(i);
}
