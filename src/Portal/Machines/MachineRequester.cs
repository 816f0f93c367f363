using System.Security.Claims;
using Portal.Core.Reservations;
using Portal.Core.Users;

namespace Portal.Machines;

internal static class MachineRequester
{
    /// <summary>The signed-in user (cookie or API token) as the Core rules see them.</summary>
    public static Requester ToRequester(this HttpContext http) => http.User.ToRequester(http.Connection.RemoteIpAddress?.ToString());

    public static Requester ToRequester(this ClaimsPrincipal user, string? remoteAddress = null) => new(
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not signed in."),
        user.Identity?.Name ?? "unknown",
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Operator),
        remoteAddress);
}
