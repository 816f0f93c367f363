using Microsoft.AspNetCore.Antiforgery;

namespace Portal.Shell;

/// <summary>
/// Validates the antiforgery token on minimal-API form posts that bind no form model (logout,
/// revoke, role changes). The framework's middleware only checks form content types, so a
/// cross-site text/plain post would slip through; this filter rejects anything without a token.
/// </summary>
internal static class AntiforgeryFilter
{
    public static TBuilder RequireAntiforgery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(http))
                return TypedResults.BadRequest("Missing or invalid antiforgery token: reload the page and try again.");
            return await next(context);
        });
}
