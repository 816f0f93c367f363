using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Machines;
using Portal.Core.Power;
using Portal.Core.Provisioning;
using Portal.Core.DataProtection;
using Portal.Core.Users;

namespace Portal.Core.Persistence;

/// <summary>The one DbContext. Schema changes are hand-written SQL migrations (see Migrations/).</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Bmc> Bmcs => Set<Bmc>();
    public DbSet<VendorCredential> VendorCredentials => Set<VendorCredential>();
    public DbSet<Machine> Machines => Set<Machine>();
    public DbSet<DiscoverySource> DiscoverySources => Set<DiscoverySource>();
    public DbSet<Discovery.Identity.IdentityConflict> IdentityConflicts => Set<Discovery.Identity.IdentityConflict>();
    public DbSet<PowerOperation> PowerOperations => Set<PowerOperation>();
    public DbSet<OsProfile> OsProfiles => Set<OsProfile>();
    public DbSet<Template> Templates => Set<Template>();
    public DbSet<TemplateVersion> TemplateVersions => Set<TemplateVersion>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<DeploymentEvent> DeploymentEvents => Set<DeploymentEvent>();
    public DbSet<NetbootSighting> NetbootSightings => Set<NetbootSighting>();
    public DbSet<Provisioning.Workflow.DeploymentWorkflow> DeploymentWorkflows => Set<Provisioning.Workflow.DeploymentWorkflow>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        builder.Entity<AppUser>().Property(u => u.DisplayName).HasMaxLength(200);
    }
}
