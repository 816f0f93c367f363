using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Users;

namespace Portal.Account;

/// <summary>Adds the display name and the must-change-password mark to the sign-in cookie.</summary>
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

/// <summary>Someone whose password was set by another person goes to change-password first.</summary>
internal sealed class MustChangePasswordMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (HttpMethods.IsGet(http.Request.Method)
            && http.User.HasClaim(PortalClaimsFactory.MustChangePassword, "true")
            && !path.StartsWithSegments("/account") && !path.StartsWithSegments("/api")
            && !path.StartsWithSegments("/healthz")
            && !IsAsset(path))
        {
            http.Response.Redirect("/account/change-password");
            return Task.CompletedTask;
        }
        return next(http);
    }

    // The change-password page itself needs its stylesheet and scripts.
    private static bool IsAsset(PathString path) =>
        path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/_blazor")
        || path.StartsWithSegments("/css");
}
