using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Users;

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Set for invited users and generated admins: the first login leads to change-password.</summary>
    public bool MustChangePassword { get; set; }
}
