using System.Security.Claims;
using Portal.Core.Auditing;

namespace Portal.Account;

/// <summary>The audit <see cref="Actor"/> for the current request.</summary>
internal sealed class CurrentActor(IHttpContextAccessor accessor)
{
    public Actor Get()
    {
        var http = accessor.HttpContext;
        var user = http?.User;
        var remote = http?.Connection.RemoteIpAddress?.ToString();
        if (user?.Identity?.IsAuthenticated != true) return new Actor(null, "anonymous", remote);
        return new Actor(user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity.Name ?? "unknown", remote);
    }
}
