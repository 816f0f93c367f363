using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Users;

namespace Portal.Account;

/// <summary>
/// Adds the display name and the must-change-password mark to the sign-in cookie (and to an API
/// token's principal). While the mark is there every policy but "signed in" refuses, and a refused
/// page sends the person to change-password (IdentitySetup): every page, the circuit's hub and the API.
/// </summary>
internal sealed class PortalClaimsFactory(UserManager<AppUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole>(users, roles, options)
{
    public const string MustChangePassword = "must_change_password";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrEmpty(user.DisplayName)) identity.AddClaim(new Claim("display_name", user.DisplayName));
        if (user.MustChangePassword) identity.AddClaim(new Claim(MustChangePassword, "true"));
        return identity;
    }
}
