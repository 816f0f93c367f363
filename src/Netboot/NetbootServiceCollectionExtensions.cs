using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Netboot.Dhcp;
using Portal.Netboot.Inputs;
using Portal.Netboot.Serving;

namespace Portal.Netboot;

public static class NetbootServiceCollectionExtensions
{
    /// <summary>
    /// Options (section "Netboot", validated on start), the machine directory (in memory, kept current by
    /// the database's change feed and an EF interceptor), sightings written in the background, boot files,
    /// and seeding of the starter profiles.
    /// </summary>
    public static IServiceCollection AddNetboot(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NetbootOptions>()
            .Bind(configuration.GetSection(NetbootOptions.Section))
            .Validate(o => string.IsNullOrWhiteSpace(o.PublicBaseUrl) || IsBaseUrl(o.PublicBaseUrl), "Netboot:PublicBaseUrl must be an absolute http(s) URL without query, e.g. http://10.0.0.5:5080")
            .Validate(o => o.AlsoReachableAt.All(IsBaseUrl), "Each of Netboot:AlsoReachableAt must be an absolute http(s) URL without query, e.g. http://10.0.2.2:5080")
            .Validate(o => string.IsNullOrWhiteSpace(o.BootFilesDirectory) || Directory.Exists(o.BootFilesDirectory), "Netboot:BootFilesDirectory does not exist")
            .Validate(o => o.MaxSightings > 0, "Netboot:MaxSightings must be positive")
            .Validate(o => o.RateLimit.PermitLimit >= 0 && o.RateLimit.Window > TimeSpan.Zero,
                "Netboot:RateLimit:PermitLimit must be 0 (off) or more and Netboot:RateLimit:Window positive, e.g. 00:00:01")
            .ValidateOnStart();
        services.AddSingleton<NetbootBaseUrls>();
        services.AddSingleton<Portal.Core.Provisioning.INetbootAddress>(sp => sp.GetRequiredService<NetbootBaseUrls>());
        services.AddSingleton<MachineDirectory>();
        services.AddSingleton<BootDirectory>();
        services.AddHostedService(sp => sp.GetRequiredService<BootDirectoryRefresher>());
        services.AddSingleton<BootDirectoryRefresher>();
        services.AddScoped<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor, BootDirectoryInterceptor>();
        services.AddSingleton<SightingRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<SightingRecorder>());
        services.AddSingleton<BootFiles>();
        services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, BootFilesTraversalGuard>();
        services.AddSingleton<NetbootRateLimit>();
        services.AddOptions<DhcpOptions>().Bind(configuration.GetSection(DhcpOptions.Section)); // checked by the supervisor, which reports instead of refusing to start
        services.AddSingleton<DhcpStatus>();
        services.AddSingleton<DnsmasqSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<DnsmasqSupervisor>());
        services.AddSingleton<IpxeFiles>();
        services.AddSingleton<TemplateSetCache>();
        services.AddSingleton<DeploymentWriter>();
        services.AddSingleton<DeploymentFetches>();
        services.AddHostedService<BuiltinProfileSeeder>();
        return services;
    }

    private static bool IsBaseUrl(string url)
    {
        try { _ = new PortalUrls(url); return true; }
        catch (Exception e) when (e is ArgumentException or UriFormatException) { return false; }
    }
}
