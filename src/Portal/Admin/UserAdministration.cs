using Microsoft.AspNetCore.Identity;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Core.Users;

namespace Portal.Admin;

/// <summary>What an admin does to users: invite, change roles, unlock, disable and enable. Each change is audited.</summary>
internal sealed class UserAdministration(UserManager<AppUser> users, AppDbContext db, TimeProvider clock)
{
    /// <summary>Creates the user with a one-time password they must change at first sign-in; the password is returned once, never stored.</summary>
    public async Task<(Outcome Outcome, string? Password)> InviteAsync(string email, string displayName, string role, Actor actor)
    {
        if (!Roles.IsKnown(role)) return (Outcome.Invalid($"Unknown role {role}."), null);
        email = email.Trim();
        var password = UserInvitation.NewOneTimePassword();
        var now = clock.GetUtcNow();
        var user = new AppUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName.Trim(),
            MustChangePassword = true, CreatedAt = now,
        };
        var result = await users.CreateAsync(user, password);
        if (result.Succeeded) result = await users.AddToRoleAsync(user, role);
        if (!result.Succeeded) return (Outcome.Invalid(string.Join(" ", result.Errors.Select(e => e.Description))), null);

        db.AuditEvents.Add(AuditEvent.Record(actor, "user.created", "user", user.Id, $"Invited {email} as {role}", now));
        await db.SaveChangesAsync();
        return (Outcome.Done($"Invited {email}."), password);
    }

    public async Task<Outcome> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, Actor actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return Outcome.NotFound($"There is no user {userId}.");
        var wanted = roles.Distinct().ToList();
        if (wanted.FirstOrDefault(r => !Roles.IsKnown(r)) is { } unknown) return Outcome.Invalid($"Unknown role \"{unknown}\".");
        var current = await users.GetRolesAsync(user);
        // An admin cannot remove their own Admin role: that is how portals end up with no admin.
        if (user.Id == actor.UserId && current.Contains(Roles.Admin) && !wanted.Contains(Roles.Admin))
            return Outcome.Invalid("You cannot remove your own Admin role.");

        var now = clock.GetUtcNow();
        foreach (var role in wanted.Except(current))
        {
            await users.AddToRoleAsync(user, role);
            db.AuditEvents.Add(AuditEvent.Record(actor, "user.role-added", "user", user.Id, $"{user.Email} is now {role}", now));
        }
        foreach (var role in current.Except(wanted))
        {
            await users.RemoveFromRoleAsync(user, role);
            db.AuditEvents.Add(AuditEvent.Record(actor, "user.role-removed", "user", user.Id, $"{user.Email} is no longer {role}", now));
        }
        // A new security stamp makes the user's cookie and circuits re-validate (within a minute, see
        // IdentitySetup), so role changes apply without waiting for their next sign-in.
        await users.UpdateSecurityStampAsync(user);
        await db.SaveChangesAsync();
        return Outcome.Done($"Roles of {user.Email} updated.");
    }

    /// <summary>
    /// Takes every access away at once and keeps the account (its history, its reservations' owner):
    /// sign-in is refused, API tokens stop at their next call, and a new security stamp ends cookies
    /// and open pages at their next minute-wise check.
    /// </summary>
    public async Task<Outcome> DisableAsync(string userId, Actor actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return Outcome.NotFound($"There is no user {userId}.");
        if (user.Id == actor.UserId) return Outcome.Invalid("You cannot disable your own account.");
        if (user.IsDisabled) return Outcome.Done($"{user.Email} was already disabled.");
        var now = clock.GetUtcNow();
        user.Disable(now);
        Check(await users.UpdateSecurityStampAsync(user)); // saves the user too
        db.AuditEvents.Add(AuditEvent.Record(actor, "user.disabled", "user", user.Id, $"Disabled {user.Email}", now));
        await db.SaveChangesAsync();
        return Outcome.Done($"Disabled {user.Email}: their sessions and API tokens stop within a minute.");
    }

    public async Task<Outcome> EnableAsync(string userId, Actor actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return Outcome.NotFound($"There is no user {userId}.");
        if (!user.IsDisabled) return Outcome.Done($"{user.Email} was not disabled.");
        user.Enable();
        Check(await users.UpdateAsync(user));
        db.AuditEvents.Add(AuditEvent.Record(actor, "user.enabled", "user", user.Id, $"Enabled {user.Email}", clock.GetUtcNow()));
        await db.SaveChangesAsync();
        return Outcome.Done($"Enabled {user.Email}.");
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    public async Task<Outcome> UnlockAsync(string userId, Actor actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return Outcome.NotFound($"There is no user {userId}.");
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        db.AuditEvents.Add(AuditEvent.Record(actor, "user.unlocked", "user", user.Id, $"Unlocked {user.Email}", clock.GetUtcNow()));
        await db.SaveChangesAsync();
        return Outcome.Done($"Unlocked {user.Email}.");
    }
}
