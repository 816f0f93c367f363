using Portal.Core.Catalogue;

namespace Portal.Machines;

internal static class MachinesSetup
{
    /// <summary>Catalogue, reservations, power control and their jobs (sections "Reservations" and "Power").</summary>
    public static void AddPortalMachines(this WebApplicationBuilder builder) =>
        builder.Services.AddMachineCatalogue(builder.Configuration);

    public static void MapMachineEndpoints(this WebApplication app)
    {
        app.MapMachineApi();
    }
}
