using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.Credentials;

public static class CredentialsServiceCollectionExtensions
{
    /// <summary>
    /// The credential list import. The parser and its limits (section <c>CredentialImport</c>)
    /// are also registered by <c>AddRedfish</c>, so they are only added here when missing.
    /// Needs <c>AddPortalPersistence</c> (database and Data Protection).
    /// </summary>
    public static IServiceCollection AddCredentialImport(this IServiceCollection services)
    {
        services.AddOptions<CredentialListLimits>();
        services.TryAddSingleton<CredentialListParser>();
        services.TryAddSingleton<CredentialProtector>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<CredentialImport>();
        return services;
    }
}
