using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Bmcs;

internal sealed class BmcConfiguration : IEntityTypeConfiguration<Bmc>
{
    public void Configure(EntityTypeBuilder<Bmc> b)
    {
        b.Property(x => x.Mac).HasMaxLength(17);
        b.HasIndex(x => x.Mac).IsUnique();
        b.Property(x => x.Address).HasMaxLength(255);
        b.Property(x => x.Vendor).HasMaxLength(100);
        b.Property(x => x.Model).HasMaxLength(200);
        b.Property(x => x.Firmware).HasMaxLength(100);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.CredentialSource).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.LastError).HasMaxLength(1000);
        b.Property(x => x.Username).HasMaxLength(64);
        b.Property(x => x.PinnedCertificateSha256).HasMaxLength(64);
        b.Property(x => x.PresentedCertificateSha256).HasMaxLength(64);
    }
}
