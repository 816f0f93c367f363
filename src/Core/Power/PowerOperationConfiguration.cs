using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Machines;

namespace Portal.Core.Power;

internal sealed class PowerOperationConfiguration : IEntityTypeConfiguration<PowerOperation>
{
    public void Configure(EntityTypeBuilder<PowerOperation> b)
    {
        b.HasOne<Machine>().WithMany().HasForeignKey(o => o.MachineId).OnDelete(DeleteBehavior.Cascade);
        b.Property(o => o.Action).HasMaxLength(32);
        b.Property(o => o.ExpectedState).HasMaxLength(32);
        b.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.Error).HasMaxLength(1000);
        b.Property(o => o.FinalPowerState).HasMaxLength(32);
        b.Property(o => o.RequestedById).HasMaxLength(450);
        b.Property(o => o.RequestedByName).HasMaxLength(256);
        b.HasIndex(o => new { o.MachineId, o.Id });
    }
}
