using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Account;
using Portal.Api;
using Portal.Core.Persistence;
using Portal.Machines;
using static Portal.Machines.MachineApi;

namespace Portal.Admin;

/// <summary>
/// Revoking access from a script, as on the Users page: list accounts, disable and enable them.
/// Admin only; every change goes through <see cref="UserAdministration"/>, so it is audited alike.
/// </summary>
internal static class UserApi
{
    public sealed record UserResponse(string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt,
        DateTimeOffset? DisabledAt, DateTimeOffset? LockedOutUntil, bool MustChangePassword);

    public static void MapUserApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(IdentitySetup.AdminPolicy).WithTags("Users");

        users.MapGet("", async Task<Ok<List<UserResponse>>> (AppDbContext db, TimeProvider clock) =>
            {
                var roles = (await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync())
                    .ToLookup(x => x.UserId, x => x.Name!);
                var now = clock.GetUtcNow();
                return TypedResults.Ok((await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync())
                    .Select(u => new UserResponse(u.Id, u.Email ?? "", u.DisplayName, roles[u.Id].Order().ToList(), u.CreatedAt, u.DisabledAt,
                        u.LockoutEnd > now ? u.LockoutEnd : null, u.MustChangePassword))
                    .ToList());
            })
            .WithName("ListUsers").WithSummary("Every account with its roles and whether it is disabled or locked out.");

        users.MapPost("/{id}/disable", async Task<Results<Ok<MessageResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                string id, HttpContext http, UserAdministration admin) => ToResult(await admin.DisableAsync(id, http.ToRequester().Actor)))
            .WithName("DisableUser")
            .WithSummary("Takes every access away at once and keeps the account: sign-in is refused, the user's API tokens stop at their next call, open pages within a minute. Audited. You cannot disable yourself (400).");

        users.MapPost("/{id}/enable", async Task<Results<Ok<MessageResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                string id, HttpContext http, UserAdministration admin) => ToResult(await admin.EnableAsync(id, http.ToRequester().Actor)))
            .WithName("EnableUser").WithSummary("Gives a disabled account its access back (its roles are unchanged). Audited.");
    }
}
