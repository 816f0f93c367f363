using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

internal sealed class NetbootSightingConfiguration : IEntityTypeConfiguration<NetbootSighting>
{
    public void Configure(EntityTypeBuilder<NetbootSighting> b)
    {
        b.Property(s => s.Key).HasMaxLength(64);
        b.Property(s => s.Mac).HasMaxLength(17);
        b.Property(s => s.Serial).HasMaxLength(64);
        b.Property(s => s.BuildArch).HasMaxLength(16);
        b.Property(s => s.Platform).HasMaxLength(16);
        b.Property(s => s.RemoteAddress).HasMaxLength(64);
        b.Property(s => s.Reason).HasMaxLength(500);
        b.HasOne(s => s.Machine).WithMany().HasForeignKey(s => s.MachineId).OnDelete(DeleteBehavior.SetNull);
        // Sightings are upserted by key (INSERT ... ON CONFLICT), so a boot storm of unknown machines never duplicates.
        b.HasIndex(s => s.Key).IsUnique();
        b.HasIndex(s => s.LastSeenAt);
    }
}
