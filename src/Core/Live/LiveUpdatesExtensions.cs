using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.Live;

public static class LiveUpdatesExtensions
{
    /// <summary>
    /// Publishes live updates through PostgreSQL NOTIFY instead of dropping them. Needs
    /// <c>AddPortalPersistence</c> (its <see cref="Npgsql.NpgsqlDataSource"/>).
    /// </summary>
    public static IServiceCollection AddPostgresLiveUpdates(this IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<ILiveUpdates, PostgresLiveUpdates>());
}
