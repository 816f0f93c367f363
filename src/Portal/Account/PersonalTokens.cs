using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Core.Users;

namespace Portal.Account;

/// <summary>A person's own API tokens, from the profile page: created (secret returned once) and revoked, audited.</summary>
internal sealed class PersonalTokens(AppDbContext db, TimeProvider clock)
{
    public async Task<(Outcome Outcome, string? Secret)> CreateAsync(string name, int? expiresInDays, Requester who)
    {
        // A token outlives the session it was made in: nobody gets one before choosing their own password.
        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == who.UserId);
        if (owner is null || owner.IsDisabled) return (Outcome.Invalid("This account may not create API tokens."), null);
        if (owner.MustChangePassword) return (Outcome.Invalid("Change your password before you create an API token."), null);
        var now = clock.GetUtcNow();
        DateTimeOffset? expires = expiresInDays is { } days ? now.AddDays(days) : null;
        var (token, secret) = ApiToken.Create(who.UserId, name.Trim(), now, expires);
        db.ApiTokens.Add(token);
        db.AuditEvents.Add(AuditEvent.Record(who.Actor, "token.created", "user", who.UserId, $"Created API token \"{token.Name}\" ({token.Prefix}…)", now));
        await db.SaveChangesAsync();
        return (Outcome.Done($"Token \"{token.Name}\" created."), secret);
    }

    /// <summary>Revokes one of the person's own tokens (someone else's is "not found", as over the API).</summary>
    public async Task<Outcome> RevokeAsync(long tokenId, Requester who)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == who.UserId);
        if (token is null) return Outcome.NotFound("No such token.");
        if (token.RevokedAt is not null) return Outcome.Done($"Token \"{token.Name}\" was already revoked.");
        var now = clock.GetUtcNow();
        token.Revoke(now);
        db.AuditEvents.Add(AuditEvent.Record(who.Actor, "token.revoked", "user", who.UserId, $"Revoked API token \"{token.Name}\" ({token.Prefix}…)", now));
        await db.SaveChangesAsync();
        return Outcome.Done($"Token \"{token.Name}\" revoked.");
    }
}
