using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.DataProtection;

namespace Portal.Core.Persistence;

public static class PersistenceExtensions
{
    /// <summary>AppDbContext on PostgreSQL, and the Data Protection key ring stored in it.</summary>
    public static IServiceCollection AddPortalPersistence(this IServiceCollection services, string connectionString)
    {
        services.AddDbContext<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddDataProtection().SetApplicationName("Portal");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IServiceScopeFactory>())));
        services.AddSingleton(sp => new SchemaMigrator(connectionString, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<SchemaMigrator>>()));
        return services;
    }
}
