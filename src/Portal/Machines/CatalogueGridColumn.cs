using Portal.Core.Catalogue;

namespace Portal.Machines;

/// <summary>
/// The catalogue grid's sortable columns, declared once: the header the page draws and the sort
/// Core runs when it is clicked. The cells are written beside them in the page, in this order.
/// </summary>
internal sealed record CatalogueGridColumn(string Title, CatalogueSort Sort, bool Numeric = false)
{
    public static readonly IReadOnlyList<CatalogueGridColumn> All =
    [
        new("Name", CatalogueSort.Name),
        new("Vendor", CatalogueSort.Vendor),
        new("CPU", CatalogueSort.Cpu),
        new("Cores", CatalogueSort.Cores, Numeric: true),
        new("Threads", CatalogueSort.Threads, Numeric: true),
        new("Memory", CatalogueSort.Memory),
        new("GPUs", CatalogueSort.Gpus),
        new("Storage", CatalogueSort.Storage),
        new("NIC", CatalogueSort.Nic),
        new("State", CatalogueSort.State),
        new("Power", CatalogueSort.Power),
    ];
}
