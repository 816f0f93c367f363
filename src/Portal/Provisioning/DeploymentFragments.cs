using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Machines;

namespace Portal.Provisioning;

internal static class DeploymentFragments
{
    public static void MapDeploymentFragments(this WebApplication app)
    {
        var fragments = app.MapGroup("/fragments").RequireAuthorization().ExcludeFromDescription();


        // The provision form's profile select swaps the parameters box for the chosen profile's defaults.
        fragments.MapGet("/provision/parameters", async Task<RazorComponentResult<ProvisionParameters>> (long? profile, AppDbContext db) =>
        {
            var defaults = profile is { } id ? await db.OsProfiles.AsNoTracking().Where(p => p.Id == id).Select(p => p.DefaultParameters).SingleOrDefaultAsync() : null;
            return new RazorComponentResult<ProvisionParameters>(new { Text = defaults is null ? "" : ProvisionInput.Format(defaults) });
        });
    }
}
