using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

internal sealed class TemplateConfiguration : IEntityTypeConfiguration<Template>
{
    public void Configure(EntityTypeBuilder<Template> b)
    {
        b.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(t => t.Name).HasMaxLength(Template.MaxNameLength);
        b.HasIndex(t => new { t.Kind, t.Name }).IsUnique();
        b.HasMany(t => t.Versions).WithOne().HasForeignKey(v => v.TemplateId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TemplateVersionConfiguration : IEntityTypeConfiguration<TemplateVersion>
{
    public void Configure(EntityTypeBuilder<TemplateVersion> b)
    {
        b.Property(v => v.AuthorId).HasMaxLength(450);
        b.Property(v => v.AuthorName).HasMaxLength(256);
        // Two admins saving at once: the second insert of the same number fails instead of silently interleaving.
        b.HasIndex(v => new { v.TemplateId, v.Number }).IsUnique();
    }
}
