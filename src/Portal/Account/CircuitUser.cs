using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Core.Auditing;
using Portal.Core.Reservations;
using Portal.Core.Users;
using Portal.Machines;

namespace Portal.Account;

/// <summary>
/// The person acting in an interactive page. HttpContext is gone once a circuit runs, so who it is
/// comes from the circuit's authentication state (revalidated every minute) and where from is the
/// address the circuit was opened from (handed to <c>Routes</c> by <c>App</c>).
/// Every action asks for the role again here: a hidden button is not a check.
/// </summary>
internal sealed class CircuitUser(AuthenticationStateProvider authentication)
{
    public string? ClientAddress { get; set; }

    public async Task<ClaimsPrincipal> GetAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<Actor> ActorAsync()
    {
        var user = await GetAsync();
        return user.Identity?.IsAuthenticated == true
            ? new Actor(user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity.Name ?? "unknown", ClientAddress)
            : new Actor(null, "anonymous", ClientAddress);
    }

    public async Task<Requester> RequesterAsync() => (await RequireAsync()).ToRequester(ClientAddress);

    /// <summary>The signed-in user, if they hold one of <paramref name="roles"/> (any role that includes User when none given).</summary>
    public async Task<ClaimsPrincipal> RequireAsync(params string[] roles)
    {
        var user = await GetAsync();
        if (user.Identity?.IsAuthenticated != true) throw new AccessDeniedException("You are signed out. Sign in again.");
        if (!Roles.UserOrAbove.Any(user.IsInRole)) throw new AccessDeniedException("Your account has no role any more. Ask an administrator.");
        if (roles.Length > 0 && !roles.Any(user.IsInRole))
            throw new AccessDeniedException($"This needs the {string.Join(" or ", roles)} role.");
        return user;
    }
}

/// <summary>An action the signed-in user may not take; its message is shown to them as it is.</summary>
internal sealed class AccessDeniedException(string message) : Exception(message);
