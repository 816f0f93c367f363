using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using Portal.Account;
using Portal.Shell;

namespace Portal.Tests.Support;

/// <summary>
/// Two gaps of <see cref="ComponentTest"/> met by the admin pages' tests (to fold into it):
/// a scope made by bUnit's container does not fall back to the Portal's services, so UiActions'
/// work could not resolve Core services; and the user id claim set before the roles was dropped,
/// so CircuitUser had no user id.
/// </summary>
public static class PortalComponents
{
    /// <summary>UiActions runs its work in scopes of the real Portal (its DbContext, Identity, Core services).</summary>
    public static void RunActionsInPortal(this BunitContext context, PortalFactory portal) =>
        context.Services.AddScoped(sp => new UiActions(portal.Services.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<CircuitUser>(), sp.GetRequiredService<ISnackbar>(), portal.Services.GetRequiredService<ILogger<UiActions>>()));

    /// <summary>Signs in as an existing Portal user (by email) with <paramref name="roles"/>; the id claim is set last so it stays.</summary>
    public static async Task<string> SignInAsync(this BunitAuthorizationContext auth, PortalFactory portal, string email, params string[] roles)
    {
        var id = await portal.UserIdAsync(email);
        auth.SetAuthorized(email);
        auth.SetRoles(roles);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, id));
        return id;
    }
}
