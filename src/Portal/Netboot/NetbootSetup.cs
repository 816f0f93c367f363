namespace Portal.Netboot;

internal static class NetbootSetup
{
    /// <summary>The netboot library (options, machine directory, starter profiles) hosted in the portal.</summary>
    public static void AddPortalNetboot(this WebApplicationBuilder builder) =>
        builder.Services.AddNetboot(builder.Configuration);

    /// <summary>The netboot route table (anonymous, for firmware) and the admin pages' form posts.</summary>
    public static void MapPortalNetboot(this WebApplication app)
    {
        app.MapNetboot();
        app.MapNetbootAdminEndpoints();
    }
}
