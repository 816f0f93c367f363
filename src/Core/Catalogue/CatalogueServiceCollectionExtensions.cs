using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Power;
using Portal.Core.Reservations;

namespace Portal.Core.Catalogue;

public static class CatalogueServiceCollectionExtensions
{
    /// <summary>
    /// Catalogue, reservations and power control (sections "Reservations" and "Power"), with their
    /// Quartz jobs. Needs the Redfish client and credential protector (<c>AddDiscovery</c>) and Quartz.
    /// </summary>
    public static IServiceCollection AddMachineCatalogue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReservationOptions>().Bind(configuration.GetSection(ReservationOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PowerOptions>().Bind(configuration.GetSection(PowerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddCatalogueSearch();
        services.AddScoped<Reservations.Reservations>();
        services.AddScoped<PowerControl>();
        services.AddSingleton<BmcConnector>();
        // Sessions before streams: hosted services stop in reverse order, so streams close before the sessions log out.
        services.AddSingleton<BmcSessions>();
        services.AddHostedService(sp => sp.GetRequiredService<BmcSessions>());
        services.AddSingleton<EventedBmcs>();
        services.AddSingleton<PowerActionRunner>();
        services.AddSingleton<PowerStateRefresher>();
        services.AddSingleton<BmcEventStreams>();
        services.AddHostedService(sp => sp.GetRequiredService<BmcEventStreams>());

        services.AddHostedService<CatalogueJobs>();
        services.AddHostedService<CatalogueFacetCheck>();
        return services;
    }

    /// <summary>The catalogue search alone (with its facet cache, one per application), for tools and benchmarks.</summary>
    public static IServiceCollection AddCatalogueSearch(this IServiceCollection services)
    {
        services.AddScoped<MachineCatalogue>();
        services.AddSingleton<CatalogueFacetCache>();
        return services;
    }
}
