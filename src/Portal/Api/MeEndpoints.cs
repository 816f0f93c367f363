using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Portal.Api;

internal static class MeEndpoints
{
    public sealed record MeResponse(string Id, string Email, IReadOnlyList<string> Roles);

    public static void MapMeEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/me", Ok<MeResponse> (ClaimsPrincipal user) => TypedResults.Ok(new MeResponse(
                user.FindFirstValue(ClaimTypes.NameIdentifier)!,
                user.Identity!.Name!,
                user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order().ToList())))
            .WithName("GetMe").WithSummary("Who the token belongs to, with their roles.").WithTags("Account");
}
