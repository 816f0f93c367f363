using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

internal sealed class DeploymentConfiguration : IEntityTypeConfiguration<Deployment>
{
    public void Configure(EntityTypeBuilder<Deployment> b)
    {
        b.HasOne(d => d.Machine).WithMany().HasForeignKey(d => d.MachineId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(d => d.Profile).WithMany().HasForeignKey(d => d.ProfileId).OnDelete(DeleteBehavior.Restrict);
        b.Property(d => d.RequestedById).HasMaxLength(450);
        b.Property(d => d.Hostname).HasMaxLength(253);
        b.Property(d => d.RootPasswordHash).HasMaxLength(500);
        b.Property(d => d.Parameters).HasJsonStringMap();
        b.Property(d => d.TokenHash).HasMaxLength(64);
        b.Ignore(d => d.IssuedToken);
        b.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(d => d.FailureReason).HasMaxLength(Deployment.MaxFailureLength);
        b.Property(d => d.ScriptFetchedFrom).HasMaxLength(64);
        b.Property(d => d.Version).IsRowVersion();
        b.HasMany(d => d.Events).WithOne().HasForeignKey(e => e.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(d => d.TokenHash).IsUnique();
        // At most one run per machine at a time: a second active deployment is refused by the database.
        b.HasIndex(d => d.MachineId).IsUnique().HasFilter("\"State\" = 'Active'");
    }
}

internal sealed class DeploymentEventConfiguration : IEntityTypeConfiguration<DeploymentEvent>
{
    public void Configure(EntityTypeBuilder<DeploymentEvent> b)
    {
        b.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(e => e.Phase).HasMaxLength(32);
        b.Property(e => e.Message).HasMaxLength(DeploymentEvent.MaxMessageLength);
        b.Property(e => e.FactsJson).HasColumnType("jsonb");
        b.HasIndex(e => new { e.DeploymentId, e.Id });
    }
}
