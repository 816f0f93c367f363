using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Account;

internal static class IdentitySetup
{
    public const string AdminPolicy = "Admin";
    public const string OperatorPolicy = "Operator";
    public const string ApiPolicy = "Api";
    /// <summary>Signed in, nothing more: the pages that tell someone what they cannot do, or how to go on (access denied, change password, sign out).</summary>
    public const string SignedInPolicy = "SignedIn";

    public static void AddPortalIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager<PortalSignInManager>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<PortalClaimsFactory>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = "portal.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the request is HTTPS, also behind a trusted proxy that says so (X-Forwarded-Proto, see TrustedProxies).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            // The API and the circuit's hub answer with status codes: a login page is no answer to a script.
            o.Events.OnRedirectToLogin = ctx => StatusOrRedirect(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx =>
            {
                // Refused because the password must be changed first: that is where the person goes, from any page.
                if (ctx.HttpContext.User.HasClaim(PortalClaimsFactory.MustChangePassword, "true")) ctx.RedirectUri = "/account/change-password";
                return StatusOrRedirect(ctx, StatusCodes.Status403Forbidden);
            };
        });

        // Every page and API call needs a user of the portal (the User role, or Operator or Admin which
        // include it) who has chosen their own password; the Admin and Operator policies add their role.
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequirePortalUser().Build())
            .AddPolicy(AdminPolicy, p => p.RequirePortalUser().RequireRole(Roles.Admin))
            .AddPolicy(OperatorPolicy, p => p.RequirePortalUser().RequireRole(Roles.Admin, Roles.Operator))
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequirePortalUser())
            .AddPolicy(SignedInPolicy, p => p.RequireAuthenticatedUser());
        services.AddAuthFailureLimit(builder.Configuration);

        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, RevalidatingUserState>();
        services.AddScoped<CurrentActor>();
        services.AddScoped<CircuitUser>();
        // What the users and profile pages do, run by UiActions in a scope of their own.
        services.AddScoped<Admin.UserAdministration>();
        services.AddScoped<PersonalTokens>();
    }

    private static AuthorizationPolicyBuilder RequirePortalUser(this AuthorizationPolicyBuilder policy) =>
        policy.RequireAuthenticatedUser()
            .RequireRole(Roles.UserOrAbove)
            .RequireAssertion(c => !c.User.HasClaim(PortalClaimsFactory.MustChangePassword, "true"));

    private static Task StatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/_blazor"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
