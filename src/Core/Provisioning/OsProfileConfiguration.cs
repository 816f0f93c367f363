using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

internal sealed class OsProfileConfiguration : IEntityTypeConfiguration<OsProfile>
{
    public void Configure(EntityTypeBuilder<OsProfile> b)
    {
        b.Property(p => p.Name).HasMaxLength(OsProfile.MaxNameLength);
        b.Property(p => p.InstallerKind).HasConversion<string>().HasMaxLength(16);
        b.Property(p => p.KernelUrl).HasMaxLength(1000);
        b.Property(p => p.KernelArgs).HasMaxLength(2000);
        b.Property(p => p.TemplateName).HasMaxLength(64);
        b.Property(p => p.DefaultParameters).HasJsonStringMap();
        b.HasIndex(p => p.Name).IsUnique();
    }
}
