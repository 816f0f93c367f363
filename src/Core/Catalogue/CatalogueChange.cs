using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Catalogue;

/// <summary>
/// One row of what a committed change did to the facet counts: a machine's counted columns with a
/// sign (+1 they count now, -1 they no longer do, 0 everything must be counted afresh). Written only
/// by the triggers of migration 0020, read by <see cref="CatalogueFacetCache"/>; mapped here so the
/// schema and the EF model agree.
/// </summary>
internal sealed class CatalogueChange
{
    public long Id { get; private set; }
    public long Revision { get; private set; }
    public short Sign { get; private set; }
    public DateTimeOffset ChangedAt { get; private set; }
    public string? State { get; private set; }
    public string? Architecture { get; private set; }
    public string? Manufacturer { get; private set; }
    public string? Model { get; private set; }
    public string? CpuModel { get; private set; }
    public int? CpuCores { get; private set; }
    public int? CpuThreads { get; private set; }
    public long? MemoryBytes { get; private set; }
    public int? GpuCount { get; private set; }
    public long? DiskTotalBytes { get; private set; }
    public long? NicMaxSpeedMbps { get; private set; }
    public string[]? DiskKinds { get; private set; }
    public string[]? GpuModels { get; private set; }
    public string[]? Tags { get; private set; }
}

internal sealed class CatalogueChangeConfiguration : IEntityTypeConfiguration<CatalogueChange>
{
    public void Configure(EntityTypeBuilder<CatalogueChange> b)
    {
        b.ToTable("CatalogueChanges");
        b.Property(c => c.ChangedAt).HasDefaultValueSql("now()");
        b.Property(c => c.State).HasMaxLength(32);
        b.Property(c => c.Architecture).HasMaxLength(32);
        b.Property(c => c.Manufacturer).HasMaxLength(100);
        b.Property(c => c.Model).HasMaxLength(200);
        b.Property(c => c.CpuModel).HasMaxLength(200);
        b.HasIndex(c => c.Revision).HasDatabaseName("IX_CatalogueChanges_Revision");
    }
}
