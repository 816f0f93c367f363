using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Provisioning.Workflow;

public static class ProvisioningServiceCollectionExtensions
{
    /// <summary>
    /// The provisioning workflow (section "Provisioning"). Needs the catalogue's power services
    /// (<c>AddMachineCatalogue</c>) and Quartz.
    /// </summary>
    public static IServiceCollection AddProvisioningWorkflow(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProvisioningOptions>().Bind(configuration.GetSection(ProvisioningOptions.SectionName)).ValidateDataAnnotations()
            .Validate(o => o.MaxConcurrentPerVendor.Values.All(v => v >= 1), "Provisioning:MaxConcurrentPerVendor limits must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<Admission>();
        services.AddSingleton<BmcSteps>();
        services.AddSingleton<ProvisioningStepRunner>();
        services.AddSingleton<ProvisioningWakeup>();
        services.AddScoped<ProvisioningService>();
        services.AddSingleton<Scheduling.RunSweep>();
        services.AddHostedService<ProvisioningRecovery>();
        return services;
    }
}
