namespace Portal.Netboot;

internal static class NetbootSetup
{
    /// <summary>The netboot library (options, machine directory, starter profiles) hosted in the portal, and what its admin pages do.</summary>
    public static void AddPortalNetboot(this WebApplicationBuilder builder)
    {
        builder.Services.AddNetboot(builder.Configuration);
        builder.Services.AddScoped<OsProfileEditor>();
        builder.Services.AddScoped<TemplateEditor>();
        builder.Services.AddScoped<SightingLinks>();
        builder.AddPortalDhcp();
    }

    /// <summary>The netboot route table (anonymous, for firmware).</summary>
    public static void MapPortalNetboot(this WebApplication app)
    {
        app.MapNetboot();
        app.Lifetime.ApplicationStarted.Register(app.SeedDhcpLeaseSource);
    }
}
