using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Account;
using Portal.Core.Persistence;

namespace Portal.Api;

internal static class AuditEndpoints
{
    public sealed record AuditEventResponse(long Id, DateTimeOffset At, string Actor, string Action, string TargetType, string? TargetId, string Summary);

    public static void MapAuditEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/audit", async Task<Results<Ok<List<AuditEventResponse>>, BadRequest<ApiProblem>>> (AppDbContext db, int? take, long? before) =>
            {
                if (take is < 1 or > 500) return TypedResults.BadRequest(new ApiProblem("take must be between 1 and 500."));
                var query = db.AuditEvents.AsNoTracking();
                if (before is { } b) query = query.Where(e => e.Id < b);
                return TypedResults.Ok(await query.OrderByDescending(e => e.Id).Take(take ?? 100)
                    .Select(e => new AuditEventResponse(e.Id, e.At, e.ActorName, e.Action, e.TargetType, e.TargetId, e.Summary)).ToListAsync());
            })
            .RequireAuthorization(IdentitySetup.AdminPolicy)
            .WithName("ListAuditEvents").WithSummary("Newest audit events first; page with `before`.").WithTags("Audit");
}
