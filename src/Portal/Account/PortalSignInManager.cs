using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Users;

namespace Portal.Account;

/// <summary>
/// A disabled account cannot sign in (Identity answers "not allowed"), and its cookie fails the
/// minute-wise security-stamp check even if the stamp were unchanged: sessions end within a minute.
/// </summary>
internal sealed class PortalSignInManager(
    UserManager<AppUser> users,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation)
    : SignInManager<AppUser>(users, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(AppUser user) => !user.IsDisabled && await base.CanSignInAsync(user);

    public override async Task<AppUser?> ValidateSecurityStampAsync(ClaimsPrincipal? principal) =>
        await base.ValidateSecurityStampAsync(principal) is { IsDisabled: false } user ? user : null;
}
