using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Core.Credentials;
using Portal.Core.Redfish;
using Quartz;

namespace Portal.Core.Discovery.Runs;

public static class DiscoveryServiceCollectionExtensions
{
    public static IServiceCollection AddDiscovery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRedfish(configuration);
        services.AddOptions<DiscoveryOptions>().Bind(configuration.GetSection(DiscoveryOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<CredentialProtector>();
        services.AddSingleton<DiscoveryProgressStore>();
        services.AddSingleton<DiscoveryRunner>();
        services.AddSingleton<Leases.LeaseFiles>();
        services.AddScoped<CandidateFinder>();
        services.AddScoped<BmcOnboarding>();
        services.AddScoped<Bmcs.BmcCertificateTrust>();
        services.AddScoped<Identity.IdentityConflictResolution>();
        return services;
    }

    /// <summary>The periodic discovery run (0 minutes = off; "Discover now" runs through the API/UI).</summary>
    public static void AddDiscoveryJob(this IQuartzBuilder quartz, int intervalMinutes)
    {
        if (intervalMinutes <= 0) return;
        quartz.ScheduleJob<DiscoveryJob>(
            trigger => trigger.WithIdentity("discovery-periodic", "discovery")
                .StartAt(DateTimeOffset.UtcNow.AddMinutes(1))
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(intervalMinutes)).RepeatForever()),
            job => job.WithIdentity(DiscoveryJob.Key));
    }
}
