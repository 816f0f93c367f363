using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Credentials;
using Portal.Core.Discovery.Inventory;

namespace Portal.Core.Redfish;

public static class RedfishServiceCollectionExtensions
{
    /// <summary>
    /// Redfish client factory (section <c>Redfish</c>), the process-wide request limiter, the
    /// inventory reader and the credential list parser (section <c>CredentialImport</c>).
    /// </summary>
    public static IServiceCollection AddRedfish(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedfishOptions>()
            .Bind(configuration.GetSection(RedfishOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<CredentialListLimits>()
            .Bind(configuration.GetSection(CredentialListLimits.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RedfishConcurrencyLimiter>();
        services.AddSingleton<RedfishClientFactory>();
        services.AddSingleton<InventoryReader>();
        services.AddSingleton<CredentialListParser>();
        return services;
    }
}
