using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Machines;

namespace Portal.Provisioning;

/// <summary>The htmx fragments: a timeline (topic deployment:{id}), the dashboard (topic deployments), a profile's default parameters.</summary>
internal static class DeploymentFragments
{
    public static void MapDeploymentFragments(this WebApplication app)
    {
        var fragments = app.MapGroup("/fragments").RequireAuthorization().ExcludeFromDescription();

        fragments.MapGet("/deployments/{id:long}", async Task<Results<RazorComponentResult<DeploymentBody>, NotFound>> (
            long id, HttpContext http, AppDbContext db, IAntiforgery antiforgery, TimeProvider clock) =>
        {
            var details = await DeploymentDetails.LoadAsync(db, id, http.ToRequester(), http.RequestAborted);
            if (details is null) return TypedResults.NotFound();
            return new RazorComponentResult<DeploymentBody>(new { Details = details, Token = antiforgery.GetAndStoreTokens(http).RequestToken, Now = clock.GetUtcNow() });
        });

        fragments.MapGet("/deployments", async Task<RazorComponentResult<DeploymentBoardView>> (HttpContext http, AppDbContext db) =>
            new RazorComponentResult<DeploymentBoardView>(new { Board = await DeploymentBoard.LoadAsync(db, http.ToRequester(), http.RequestAborted) }));

        // The provision form's profile select swaps the parameters box for the chosen profile's defaults.
        fragments.MapGet("/provision/parameters", async Task<RazorComponentResult<ProvisionParameters>> (long? profile, AppDbContext db) =>
        {
            var defaults = profile is { } id ? await db.OsProfiles.AsNoTracking().Where(p => p.Id == id).Select(p => p.DefaultParameters).SingleOrDefaultAsync() : null;
            return new RazorComponentResult<ProvisionParameters>(new { Text = defaults is null ? "" : ProvisionInput.Format(defaults) });
        });
    }
}
