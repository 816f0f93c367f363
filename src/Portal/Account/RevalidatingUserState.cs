using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Users;

namespace Portal.Account;

/// <summary>
/// A circuit lives as long as its tab; the cookie was checked only when it opened. Every minute
/// this checks the user again — still there, not disabled, same security stamp, same roles — so a
/// disabled user or a removed role stops working in open pages within a minute, as it does for requests.
/// A lockout does not end a session: it only refuses password sign-in (anyone can cause one).
/// </summary>
internal sealed class RevalidatingUserState(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            return await IsStillValidAsync(users, state.User, identity.Value);
        }
        catch (ObjectDisposedException)
        {
            // The Portal is stopping (its services are gone before the circuits' loops end): the
            // circuit ends with it, so there is nothing to decide and nothing worth an error in the log.
            return true;
        }
    }

    public static async Task<bool> IsStillValidAsync(UserManager<AppUser> users, ClaimsPrincipal principal, IdentityOptions options)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null || user.IsDisabled) return false;
        if (users.SupportsUserSecurityStamp
            && principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType) != await users.GetSecurityStampAsync(user))
            return false;
        var current = (await users.GetRolesAsync(user)).Order(StringComparer.Ordinal);
        var claimed = principal.FindAll(options.ClaimsIdentity.RoleClaimType).Select(c => c.Value).Order(StringComparer.Ordinal);
        return current.SequenceEqual(claimed);
    }
}
