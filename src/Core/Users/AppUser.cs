using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Users;

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Set for invited users and generated admins: the first login leads to change-password.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>
    /// When an admin disabled the account; null while it may be used. Unlike a lockout (which only
    /// refuses password sign-in for a while), a disabled account signs in nowhere, its API tokens are
    /// refused and its open sessions end at their next check.
    /// </summary>
    public DateTimeOffset? DisabledAt { get; private set; }

    public bool IsDisabled => DisabledAt is not null;

    public void Disable(DateTimeOffset now)
    {
        if (IsDisabled) throw new InvalidOperationException($"{Email} is already disabled.");
        DisabledAt = now;
    }

    public void Enable()
    {
        if (!IsDisabled) throw new InvalidOperationException($"{Email} is not disabled.");
        DisabledAt = null;
    }
}
