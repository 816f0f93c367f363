using Portal.Shell;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Account;

internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app)
    {
        var account = app.MapGroup("/account").RequireAntiforgery().RequireAuthorization(IdentitySetup.SignedInPolicy).ExcludeFromDescription();

        account.MapPost("/logout", async (SignInManager<AppUser> signIn, AppDbContext db, CurrentActor actor, TimeProvider clock) =>
        {
            var who = actor.Get();
            await signIn.SignOutAsync();
            db.AuditEvents.Add(AuditEvent.Record(who, "user.logout", "user", who.UserId, "Signed out", clock.GetUtcNow()));
            await db.SaveChangesAsync();
            return TypedResults.LocalRedirect("/account/login");
        });
    }
}
