using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Machines;

namespace Portal.Provisioning;

/// <summary>
/// The htmx fragments the machine pages (not yet interactive) still use: a machine's deployments and a
/// profile's default parameters for the old provision form. The timeline and dashboard are interactive pages now.
/// </summary>
internal static class DeploymentFragments
{
    public static void MapDeploymentFragments(this WebApplication app)
    {
        var fragments = app.MapGroup("/fragments").RequireAuthorization().ExcludeFromDescription();

        fragments.MapGet("/machines/{id:long}/deployments", async Task<RazorComponentResult<MachineDeploymentList>> (long id, HttpContext http, AppDbContext db) =>
            new RazorComponentResult<MachineDeploymentList>(new { MachineId = id, Rows = await MachineDeploymentList.LoadAsync(db, http.ToRequester(), id, http.RequestAborted) }));

        // The provision form's profile select swaps the parameters box for the chosen profile's defaults.
        fragments.MapGet("/provision/parameters", async Task<RazorComponentResult<ProvisionParameters>> (long? profile, AppDbContext db) =>
        {
            var defaults = profile is { } id ? await db.OsProfiles.AsNoTracking().Where(p => p.Id == id).Select(p => p.DefaultParameters).SingleOrDefaultAsync() : null;
            return new RazorComponentResult<ProvisionParameters>(new { Text = defaults is null ? "" : ProvisionInput.Format(defaults) });
        });
    }
}
