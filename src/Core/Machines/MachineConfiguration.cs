using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Machines;

internal sealed class MachineConfiguration : IEntityTypeConfiguration<Machine>
{
    public void Configure(EntityTypeBuilder<Machine> b)
    {
        b.HasOne(m => m.Bmc).WithMany().HasForeignKey(m => m.BmcId).OnDelete(DeleteBehavior.Restrict);
        b.Property(m => m.RedfishId).HasMaxLength(255);
        b.Property(m => m.Name).HasMaxLength(200);
        b.Property(m => m.Serial).HasMaxLength(100);
        b.Property(m => m.Manufacturer).HasMaxLength(100);
        b.Property(m => m.Model).HasMaxLength(200);
        b.Property(m => m.Architecture).HasMaxLength(32);
        b.Property(m => m.BootMode).HasMaxLength(32);
        b.Property(m => m.BiosVersion).HasMaxLength(100);
        b.Property(m => m.CpuModel).HasMaxLength(200);
        b.Property(m => m.PowerState).HasMaxLength(32);
        b.Property(m => m.State).HasConversion<string>().HasMaxLength(32);
        // Hardware lists live in jsonb columns: read whole, written whole, never joined.
        b.OwnsMany(m => m.Disks, d => d.ToJson());
        b.OwnsMany(m => m.Nics, n => n.ToJson());
        b.OwnsMany(m => m.Gpus, g => g.ToJson());
        b.Property(m => m.Revision).IsConcurrencyToken();
        b.HasIndex(m => m.Uuid);
        b.HasIndex(m => m.Serial);
        b.HasIndex(m => new { m.BmcId, m.RedfishId }).IsUnique();
        b.HasIndex(m => m.State);
        // Catalogue (issue 5): text arrays with GIN indexes for the containment filters, btree
        // indexes for the "at least" filters and sort columns, and the reservation/power lookups.
        b.Property(m => m.Tags).HasColumnType("text[]");
        b.Property(m => m.GpuModels).HasColumnType("text[]");
        b.Property(m => m.DiskKinds).HasColumnType("text[]");
        b.Property(m => m.ResetTypes).HasColumnType("text[]");
        b.Property(m => m.ReservedById).HasMaxLength(450);
        b.Property(m => m.ReservedByName).HasMaxLength(256);
        b.Property(m => m.MaintenanceReason).HasMaxLength(200);
        b.HasIndex(m => m.Tags).HasMethod("gin");
        b.HasIndex(m => m.GpuModels).HasMethod("gin");
        b.HasIndex(m => m.DiskKinds).HasMethod("gin");
        b.HasIndex(m => new { m.CpuCores, m.Id });
        b.HasIndex(m => new { m.CpuThreads, m.Id });
        b.HasIndex(m => new { m.MemoryBytes, m.Id });
        b.HasIndex(m => new { m.GpuCount, m.Id });
        b.HasIndex(m => new { m.DiskTotalBytes, m.Id });
        b.HasIndex(m => new { m.NicMaxSpeedMbps, m.Id });
        b.HasIndex(m => new { m.Name, m.Id });
        b.HasIndex(m => new { m.Manufacturer, m.Model });
        b.HasIndex(m => m.Architecture);
        b.HasIndex(m => m.ReservedById);
        b.HasIndex(m => m.ReservedUntil);
        b.HasIndex(m => m.PowerCheckedAt);
        // Migration 0006: the facet counts read these columns from the index alone (index-only
        // scans; the list facets from a narrow index of their own); CPU models are listed by a
        // loose scan of (CpuModel, Id); power sorts use its index.
        b.HasIndex(m => m.State, "IX_Machines_State_Facets").IncludeProperties(m => new
        {
            m.Architecture, m.Manufacturer, m.Model, m.CpuModel, m.NicMaxSpeedMbps, m.CpuCores, m.CpuThreads,
            m.MemoryBytes, m.GpuCount, m.DiskTotalBytes, m.DiskKinds, m.GpuModels, m.Tags,
        });
        b.HasIndex(m => m.State, "IX_Machines_State_Lists").IncludeProperties(m => new { m.DiskKinds, m.GpuModels, m.Tags });
        b.HasIndex(m => new { m.CpuModel, m.Id });
        b.HasIndex(m => new { m.PowerState, m.Id });
    }
}
