using MudBlazor.Services;
using Portal.Api;

namespace Portal.Shell;

internal static class ShellSetup
{
    public static void AddPortalShell(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight);
        builder.Services.AddScoped<UiActions>();
        // Secure over HTTPS (also behind a trusted proxy that says so); the framework's default is never.
        // Its X-Frame-Options: SAMEORIGIN is left out: SecurityHeaders forbids framing altogether.
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SuppressXFrameOptionsHeader = true;
        });
        builder.Services.AddHttpContextAccessor();
    }

    public static void UsePortalShell(this WebApplication app)
    {
        app.UsePortalErrors();
        // Friendly 404 pages for people; API clients, the circuit's hub and netboot get bare status codes.
        app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/_blazor")
                           && !ctx.Request.Path.StartsWithSegments("/healthz") && !Portal.Netboot.Inputs.NetbootRoutes.Owns(ctx.Request.Path),
            b => b.UseStatusCodePagesWithReExecute("/not-found"));
        // Before authentication: an address out of sign-in/token failures is refused before any check (AuthFailureLimit).
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UsePortalApiInputGuard();
        app.UseAntiforgery();
    }

    public static void MapPortalPages(this WebApplication app)
    {
        // blazor.web.js and MudBlazor's files must reach signed-out browsers too (the sign-in page
        // needs none of them, but the fallback policy would otherwise answer them with a redirect).
        app.MapStaticAssets().AllowAnonymous();
        // Blazor's own "frame-ancestors 'self'" header (a guard for its compressed WebSocket) is left
        // out: SecurityHeaders' policy forbids every frame, and two policies would say different things.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
    }
}
