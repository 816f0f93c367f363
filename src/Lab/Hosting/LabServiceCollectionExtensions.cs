using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Lab.Hosting;

namespace Portal.Lab;

public static class LabServiceCollectionExtensions
{
    /// <summary>
    /// Runs a lab fleet inside another host (the Portal's `make run`). The fleet starts with the
    /// host (or when first injected, whichever comes first) and stops with it. Inject
    /// <see cref="LabFleet"/> for the running fleet.
    /// </summary>
    public static IServiceCollection AddLabFleet(this IServiceCollection services, LabOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<LabFleetHolder>();
        services.AddSingleton(sp => sp.GetRequiredService<LabFleetHolder>().Fleet);
        services.AddHostedService<LabFleetHostedService>();
        return services;
    }

    /// <summary>Same, with options bound from the "Lab" section of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddLabFleet(this IServiceCollection services, IConfiguration configuration) =>
        services.AddLabFleet(configuration.GetSection(LabOptions.SectionName).Get<LabOptions>() ?? new LabOptions());
}
