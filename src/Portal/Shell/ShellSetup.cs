namespace Portal.Shell;

internal static class ShellSetup
{
    public static void AddPortalShell(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddAntiforgery(o => o.HeaderName = "RequestVerificationToken");
        builder.Services.AddHttpContextAccessor();
    }

    public static void UsePortalShell(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
        // Friendly 404 pages for people; API clients, fragments and netboot get bare status codes.
        app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/fragments")
                           && !ctx.Request.Path.StartsWithSegments("/hubs") && !ctx.Request.Path.StartsWithSegments("/healthz") && !Portal.Netboot.Inputs.NetbootRoutes.Owns(ctx.Request.Path),
            b => b.UseStatusCodePagesWithReExecute("/not-found"));
        // wwwroot/lib is filled from npm at build time, so plain static files (not the build-time
        // static asset manifest) serve it.
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<Portal.Account.MustChangePasswordMiddleware>();
        app.UseAntiforgery();
    }

    public static void MapPortalPages(this WebApplication app) => app.MapRazorComponents<App>();
}
