using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Machines;
using Portal.Shell;

namespace Portal.Provisioning;

/// <summary>
/// Cancel and Retry on the timeline page: form posts answered with a redirect that carries the
/// outcome (?ok= / ?error=). Starting is the /deployments/new page's own form (it re-shows the form with per-machine results).
/// </summary>
internal static class DeploymentForms
{
    public static void MapDeploymentForms(this WebApplication app)
    {
        var deployments = app.MapGroup("/deployments").RequireAuthorization().RequireAntiforgery().ExcludeFromDescription();

        deployments.MapPost("/{id:long}/cancel", async Task<RedirectHttpResult> (long id, HttpContext http, AppDbContext db, DeploymentRuns runs) =>
        {
            var who = http.ToRequester();
            if (!await db.Deployments.VisibleTo(who).AnyAsync(d => d.Id == id, http.RequestAborted)) return Missing(id);
            return WithOutcome($"/deployments/{id}", await runs.CancelAsync(id, who, http.RequestAborted));
        });

        deployments.MapPost("/{id:long}/retry", async Task<RedirectHttpResult> (long id, HttpContext http, AppDbContext db, ProvisioningService provisioning) =>
        {
            var who = http.ToRequester();
            if (!await db.Deployments.VisibleTo(who).AnyAsync(d => d.Id == id, http.RequestAborted)) return Missing(id);
            var retried = await provisioning.RetryAsync(id, who, http.RequestAborted);
            return WithOutcome(retried.DeploymentId is { } next ? $"/deployments/{next}" : $"/deployments/{id}", retried.Outcome);
        });
    }

    private static RedirectHttpResult Missing(long id) => WithOutcome("/deployments", Outcome.NotFound($"There is no deployment {id} that you can see."));

    private static RedirectHttpResult WithOutcome(string url, Outcome outcome) =>
        TypedResults.Redirect($"{url}?{(outcome.Succeeded ? "ok" : "error")}={Uri.EscapeDataString(outcome.Message)}");
}
