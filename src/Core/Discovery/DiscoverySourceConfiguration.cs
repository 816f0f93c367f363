using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Discovery;

internal sealed class DiscoverySourceConfiguration : IEntityTypeConfiguration<DiscoverySource>
{
    public void Configure(EntityTypeBuilder<DiscoverySource> b)
    {
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(32);
        b.Property(x => x.Value).HasMaxLength(1024);
        b.Property(x => x.Username).HasMaxLength(64);
    }
}
