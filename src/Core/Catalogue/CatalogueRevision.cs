using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Catalogue;

/// <summary>
/// The single row whose number grows with every committed change to what the facets count
/// (migration 0010 bumps it from triggers on "Machines"; nothing in the application writes it).
/// Facet counts are cached against it, see <see cref="CatalogueFacetCache"/>.
/// </summary>
internal sealed class CatalogueRevision
{
    public int Id { get; private set; }
    public long Number { get; private set; }

    /// <summary>The current number; null where the row is missing (a schema made without the migrations).</summary>
    public const string CurrentSql = "SELECT \"Number\" AS \"Value\" FROM \"CatalogueRevision\" WHERE \"Id\" = 1";
}

internal sealed class CatalogueRevisionConfiguration : IEntityTypeConfiguration<CatalogueRevision>
{
    public void Configure(EntityTypeBuilder<CatalogueRevision> b)
    {
        b.ToTable("CatalogueRevision");
        b.Property(r => r.Id).ValueGeneratedNever();
    }
}
