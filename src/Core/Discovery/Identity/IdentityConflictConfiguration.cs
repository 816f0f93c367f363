using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Discovery.Identity;

internal sealed class IdentityConflictConfiguration : IEntityTypeConfiguration<IdentityConflict>
{
    public void Configure(EntityTypeBuilder<IdentityConflict> b)
    {
        b.HasOne(c => c.Bmc).WithMany().HasForeignKey(c => c.BmcId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(c => c.Machine).WithMany().HasForeignKey(c => c.MachineId).OnDelete(DeleteBehavior.Cascade);
        b.Property(c => c.RedfishId).HasMaxLength(255);
        b.Property(c => c.Serial).HasMaxLength(100);
        b.Property(c => c.Summary).HasMaxLength(1000);
        b.Property(c => c.FactsJson).HasColumnType("jsonb");
        b.HasIndex(c => new { c.BmcId, c.RedfishId }).IsUnique();
        b.HasIndex(c => c.MachineId);
        b.Ignore(c => c.Facts);
    }
}
