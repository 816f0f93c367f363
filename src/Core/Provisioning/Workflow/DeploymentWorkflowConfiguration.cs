using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning.Workflow;

internal sealed class DeploymentWorkflowConfiguration : IEntityTypeConfiguration<DeploymentWorkflow>
{
    public void Configure(EntityTypeBuilder<DeploymentWorkflow> b)
    {
        b.HasKey(w => w.DeploymentId);
        b.Property(w => w.DeploymentId).ValueGeneratedNever();
        b.HasOne<Deployment>().WithOne().HasForeignKey<DeploymentWorkflow>(w => w.DeploymentId).OnDelete(DeleteBehavior.Cascade);
        b.Property(w => w.Step).HasConversion<string>().HasMaxLength(32);
        b.Property(w => w.LastError).HasMaxLength(DeploymentWorkflow.MaxErrorLength);
        b.Property(w => w.QueueReason).HasMaxLength(500);
        b.Property(w => w.Version).IsRowVersion();
        // The recovery sweep and the operators' dashboard look for runs that are still going.
        b.HasIndex(w => w.Step);
    }
}
