using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Portal.Shell;
using Portal.Account;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Admin;

internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this WebApplication app)
    {
        // Plain HTML form posts from the admin pages: antiforgery is required on every one.
        var admin = app.MapGroup("/admin").RequireAuthorization(IdentitySetup.AdminPolicy)
            .RequireAntiforgery().ExcludeFromDescription();

        admin.MapPost("/users/{id}/roles", async Task<Results<RedirectHttpResult, NotFound, BadRequest<string>>> (
            string id, UserManager<AppUser> users, AppDbContext db, CurrentActor actor, TimeProvider clock, HttpContext http) =>
        {
            var user = await users.FindByIdAsync(id);
            if (user is null) return TypedResults.NotFound();
            // Read by hand: binding string[] from a form trips over string.TryParse on this runtime.
            var form = await http.Request.ReadFormAsync();
            var wanted = form["roles"].Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).Distinct().ToList();
            if (wanted.FirstOrDefault(r => !Roles.IsKnown(r)) is { } unknown) return TypedResults.BadRequest($"Unknown role \"{unknown}\".");
            var current = await users.GetRolesAsync(user);
            // An admin cannot remove their own Admin role: that is how portals end up with no admin.
            if (user.Id == users.GetUserId(http.User) && current.Contains(Roles.Admin) && !wanted.Contains(Roles.Admin))
                return TypedResults.BadRequest("You cannot remove your own Admin role.");

            var now = clock.GetUtcNow();
            foreach (var role in wanted.Except(current))
            {
                await users.AddToRoleAsync(user, role);
                db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "user.role-added", "user", user.Id, $"{user.Email} is now {role}", now));
            }
            foreach (var role in current.Except(wanted))
            {
                await users.RemoveFromRoleAsync(user, role);
                db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "user.role-removed", "user", user.Id, $"{user.Email} is no longer {role}", now));
            }
            // A new security stamp makes the user's cookie re-validate (within a minute, see IdentitySetup),
            // so role changes apply without waiting for their next sign-in.
            await users.UpdateSecurityStampAsync(user);
            await db.SaveChangesAsync();
            return TypedResults.Redirect($"/admin/users?updated={Uri.EscapeDataString(user.Email ?? "")}");
        });

        admin.MapPost("/users/{id}/unlock", async Task<Results<RedirectHttpResult, NotFound>> (
            string id, UserManager<AppUser> users, AppDbContext db, CurrentActor actor, TimeProvider clock) =>
        {
            var user = await users.FindByIdAsync(id);
            if (user is null) return TypedResults.NotFound();
            await users.SetLockoutEndDateAsync(user, null);
            await users.ResetAccessFailedCountAsync(user);
            db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "user.unlocked", "user", user.Id, $"Unlocked {user.Email}", clock.GetUtcNow()));
            await db.SaveChangesAsync();
            return TypedResults.Redirect("/admin/users");
        });
    }
}
