namespace Portal.Shell;

/// <summary>
/// What every response tells the browser: HSTS outside Development (sent on HTTPS responses only,
/// also behind a trusted proxy that says the request was HTTPS), a Content-Security-Policy the UI
/// works under, and no framing at all.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// Scripts only from the portal itself (blazor.web.js, MudBlazor's script; no inline script, no
    /// eval: Blazor Server needs neither). Inline styles are allowed: MudBlazor sets style attributes
    /// and Blazor's reconnect dialog adds a style element. The circuit's WebSocket is same-origin ('self').
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static void UsePortalSecurityHeaders(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY"; // frame-ancestors for browsers that predate it
            headers["Referrer-Policy"] = "same-origin";
            return next(http);
        });
    }
}
