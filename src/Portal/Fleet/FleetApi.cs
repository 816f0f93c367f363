using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Account;
using Portal.Api;
using Portal.Core.Persistence;

namespace Portal.Fleet;

/// <summary>/api/v1/fleet: the fleet's configuration as one document, read whole and applied whole (Admin).</summary>
internal static class FleetApi
{
    public static void MapFleetApi(this RouteGroupBuilder api)
    {
        var fleet = api.MapGroup("/fleet").WithTags("Fleet configuration").RequireAuthorization(IdentitySetup.AdminPolicy);

        fleet.MapGet("/", async Task<Ok<FleetDocument>> (AppDbContext db, HttpContext http) => TypedResults.Ok(await FleetExport.ReadAsync(db, http.RequestAborted)))
            .WithName("ExportFleet")
            .WithSummary("OS profiles, user templates and snippets, discovery sources (never passwords) and machine tags, in a stable order (what `portal export` writes).");

        fleet.MapPost("/apply", async Task<Results<Ok<FleetPlan>, UnprocessableEntity<ApiProblem>>> (
                FleetDocument document, bool? prune, bool? dryRun, FleetApply apply, CurrentActor actor, HttpContext http) =>
            {
                var result = await apply.RunAsync(document, prune ?? false, dryRun ?? false, actor.Get(), http.RequestAborted);
                if (result.Plan is { } plan) return TypedResults.Ok(plan);
                var problem = new ApiProblem($"Nothing was applied: {result.Errors.Count} problem{(result.Errors.Count == 1 ? "" : "s")} in the configuration. {string.Join(" ", result.Errors)}");
                problem.Extensions["errors"] = result.Errors;
                return TypedResults.UnprocessableEntity(problem);
            })
            // Template texts are multi-line: FleetApply checks control characters itself (the edge would refuse every line break).
            .WithMetadata(new ApiInputGuard.ReadsItsOwnBody())
            .WithName("ApplyFleet")
            .WithSummary("Make the Portal match the document in one transaction: create and update what differs, with `prune` delete what it does not name "
                + "(built-in profiles and profiles with deployments are kept). A section left out is not touched. Checked as a whole first: 422 lists every problem "
                + "(a template's with its line) and nothing changes. `dryRun` answers the plan only. Applying the same document again plans nothing.");
    }
}
