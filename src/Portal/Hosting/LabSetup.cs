using Microsoft.Extensions.Options;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Lab;

namespace Portal.Hosting;

/// <summary>
/// The virtual lab (simulated Redfish BMCs on 127.x addresses) runs inside the portal when
/// Lab:Enabled is set — the `make run` default, so a newcomer has a fleet to discover.
/// </summary>
internal static class LabSetup
{
    public static void AddPortalLab(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>("Lab:Enabled")) return;
        var options = builder.Configuration.GetSection(LabOptions.SectionName).Get<LabOptions>() ?? new LabOptions();
        var dataDirectory = builder.Configuration[$"{PortalOptions.Section}:DataDirectory"] ?? ".data";
        options = options with
        {
            OutputDirectory = string.IsNullOrEmpty(options.OutputDirectory) ? Path.GetFullPath(Path.Combine(dataDirectory, "lab")) : options.OutputDirectory,
        };
        builder.Services.AddLabFleet(options);
        // The lab's lease file is a discovery source (SeedLabSource): its folder is a lease directory too.
        builder.Services.PostConfigure<DiscoveryOptions>(o => o.LeaseDirectories =
            [.. o.AllowedLeaseDirectories, options.OutputDirectory]);
    }

    /// <summary>Says where the lab wrote its vendor credential list and lease file.</summary>
    public static void AnnounceLab(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Lab:Enabled")) return;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var fleet = app.Services.GetRequiredService<LabFleet>();
            SeedLabSource(app, fleet);
            app.Logger.LogInformation("Virtual lab: {Count} BMCs; vendor credential list {Csv}; DHCP lease file {Leases}; control API {Control}",
                fleet.Bmcs.Count, fleet.CredentialCsvPath, fleet.LeaseFilePath, fleet.ControlUri);
        });
    }

    /// <summary>
    /// A newcomer's first discovery should find the lab: its lease file becomes a discovery source
    /// (once). The credential list is left for the admin to upload — that is the real workflow.
    /// </summary>
    private static void SeedLabSource(WebApplication app, LabFleet fleet)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.DiscoverySources.Any(s => s.Value == fleet.LeaseFilePath && s.Port == fleet.Port)) return;
        db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, fleet.LeaseFilePath, fleet.Port, fleet.Options.Https, DateTimeOffset.UtcNow));
        db.SaveChanges();
    }
}
