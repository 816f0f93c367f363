using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Persistence;

namespace Portal.Api;

internal static class TokenEndpoints
{
    public sealed record TokenResponse(long Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

    public static void MapTokenEndpoints(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Account");

        tokens.MapGet("/", async Task<Ok<List<TokenResponse>>> (ClaimsPrincipal user, AppDbContext db) =>
        {
            var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
            return TypedResults.Ok(await db.ApiTokens.Where(t => t.UserId == id).OrderBy(t => t.Id)
                .Select(t => new TokenResponse(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt)).ToListAsync());
        }).WithName("ListMyTokens").WithSummary("Your personal API tokens (never their secrets).");

        tokens.MapDelete("/{id:long}", async Task<Results<NoContent, NotFound<ApiProblem>>> (long id, ClaimsPrincipal user, AppDbContext db, TimeProvider clock, HttpContext http) =>
        {
            var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
            var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId);
            if (token is null) return TypedResults.NotFound(new ApiProblem($"You have no API token {id}."));
            if (token.RevokedAt is null)
            {
                token.Revoke(clock.GetUtcNow());
                db.AuditEvents.Add(AuditEvent.Record(new Actor(userId, user.Identity!.Name!, http.Connection.RemoteIpAddress?.ToString()),
                    "token.revoked", "user", userId, $"Revoked API token \"{token.Name}\" ({token.Prefix}…) through the API", clock.GetUtcNow()));
                await db.SaveChangesAsync();
            }
            return TypedResults.NoContent();
        }).WithName("RevokeMyToken").WithSummary("Revoke one of your tokens (it may be the one making the call).");
    }
}
