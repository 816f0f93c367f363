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
        builder.Services.AddAntiforgery();
        builder.Services.AddHttpContextAccessor();
    }

    public static void UsePortalShell(this WebApplication app)
    {
        app.UsePortalErrors();
        // Friendly 404 pages for people; API clients, the circuit's hub and netboot get bare status codes.
        app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/_blazor")
                           && !ctx.Request.Path.StartsWithSegments("/healthz") && !Portal.Netboot.Inputs.NetbootRoutes.Owns(ctx.Request.Path),
            b => b.UseStatusCodePagesWithReExecute("/not-found"));
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<Portal.Account.MustChangePasswordMiddleware>();
        app.UsePortalApiInputGuard();
        app.UseAntiforgery();
    }

    public static void MapPortalPages(this WebApplication app)
    {
        // blazor.web.js and MudBlazor's files must reach signed-out browsers too (the sign-in page
        // needs none of them, but the fallback policy would otherwise answer them with a redirect).
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
