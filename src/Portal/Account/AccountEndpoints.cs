using Portal.Shell;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Account;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app)
    {
        var account = app.MapGroup("/account").RequireAntiforgery().ExcludeFromDescription();

        account.MapPost("/logout", async (SignInManager<AppUser> signIn, AppDbContext db, CurrentActor actor, TimeProvider clock) =>
        {
            var who = actor.Get();
            await signIn.SignOutAsync();
            db.AuditEvents.Add(AuditEvent.Record(who, "user.logout", "user", who.UserId, "Signed out", clock.GetUtcNow()));
            await db.SaveChangesAsync();
            return TypedResults.LocalRedirect("/account/login");
        });

        account.MapPost("/tokens/{id:long}/revoke", async Task<Results<RedirectHttpResult, NotFound>> (
            long id, UserManager<AppUser> users, AppDbContext db, CurrentActor actor, TimeProvider clock, HttpContext http) =>
        {
            var userId = users.GetUserId(http.User);
            var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.UserId == userId);
            if (token is null) return TypedResults.NotFound();
            if (token.RevokedAt is null)
            {
                token.Revoke(clock.GetUtcNow());
                db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "token.revoked", "user", userId, $"Revoked API token \"{token.Name}\" ({token.Prefix}…)", clock.GetUtcNow()));
                await db.SaveChangesAsync();
            }
            return TypedResults.Redirect("/account/profile?revoked=true");
        });
    }
}
