using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Portal.Core.DataProtection;
using Portal.Core.Live;

namespace Portal.Core.Persistence;

public static class PersistenceExtensions
{
    /// <summary>AppDbContext on PostgreSQL, and the Data Protection key ring stored in it.</summary>
    public static IServiceCollection AddPortalPersistence(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton<ILiveUpdates, NoLiveUpdates>();
        services.TryAddSingleton(TimeProvider.System);
        // For the few statements that are not EF's (live notifications). EF keeps its own pool for
        // the same connection string: moving it onto this source is a change of its own.
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddScoped<AuditLiveInterceptor>();
        services.AddSingleton<Provisioning.DeploymentTokens>();
        services.AddScoped<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, Machines.MachineRevisionInterceptor>();
        services.AddScoped<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, Provisioning.DeploymentTokenInterceptor>();
        // Other features add their own EF interceptors to DI (netboot's directory watches machine saves).
        // A factory too: interactive components live as long as a browser tab and must use a short-lived
        // context per load or action. Scoped, so the options can take the scoped interceptors; it also
        // registers AppDbContext itself (scoped) for endpoints, jobs and Identity.
        services.AddDbContextFactory<AppDbContext>((sp, o) => o.UseNpgsql(connectionString)
            .AddInterceptors(sp.GetRequiredService<AuditLiveInterceptor>())
            .AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>()), ServiceLifetime.Scoped);
        services.AddDataProtection().SetApplicationName("Portal");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IServiceScopeFactory>())));
        services.AddSingleton(sp => new SchemaMigrator(connectionString, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SchemaMigrator>>()));
        return services;
    }
}
