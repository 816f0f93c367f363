using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Credentials;

internal sealed class VendorCredentialConfiguration : IEntityTypeConfiguration<VendorCredential>
{
    public void Configure(EntityTypeBuilder<VendorCredential> b)
    {
        b.Property(x => x.Mac).HasMaxLength(17);
        b.HasIndex(x => x.Mac).IsUnique();
        b.Property(x => x.Username).HasMaxLength(64);
        b.Property(x => x.Serial).HasMaxLength(64);
        b.Property(x => x.Vendor).HasMaxLength(64);
        b.Property(x => x.Notes).HasMaxLength(256);
        b.Property(x => x.ImportedBy).HasMaxLength(256);
    }
}
