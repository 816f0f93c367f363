using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Portal.Netboot.Inputs;

namespace Portal.Api;

/// <summary>
/// Errors are answers, not crashes. Machine clients (the API, netboot firmware and installers) get an
/// <see cref="ApiProblem"/> with a specific message for whatever never reached an endpoint's own
/// answer: a body or parameter that does not bind, an unknown route, a wrong method, a missing token,
/// a failure. People get the product's error page. The developer exception page (which echoes the
/// request, bearer token included) appears only when Portal:DeveloperExceptionPage is true, never
/// merely because the environment is Development (`make run`).
/// </summary>
internal static class ApiErrors
{
    public static void AddPortalErrors(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        // A parameter or body that does not bind throws BadHttpRequestException with a message naming it
        // (outside Development it would otherwise be a bare 400 and a log line).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    }

    public static void UsePortalErrors(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Portal:DeveloperExceptionPage"))
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                CreateScopeForErrors = true,
                StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            });
        app.UseWhen(http => IsApi(http.Request.Path), api => api.UseStatusCodePages(context => ExplainStatusAsync(context.HttpContext)));
    }

    /// <summary>After authentication: only a caller the API accepts gets its input inspected.</summary>
    public static void UsePortalApiInputGuard(this WebApplication app) => app.UseMiddleware<ApiInputGuard>();

    public static bool IsApi(PathString path) => path.StartsWithSegments("/api");

    private static bool IsMachineClient(PathString path) => IsApi(path) || NetbootRoutes.Owns(path);

    /// <summary>A 4xx/5xx that left the pipeline without a body (the route, the method, the token, the role).</summary>
    private static Task ExplainStatusAsync(HttpContext http)
    {
        var (method, path, status) = (http.Request.Method, http.Request.Path.Value, http.Response.StatusCode);
        var detail = status switch
        {
            StatusCodes.Status401Unauthorized => "Authenticate with a personal API token: send 'Authorization: Bearer pt_…' (create one on your profile page).",
            StatusCodes.Status403Forbidden => $"Your roles do not allow {method} {path}.",
            StatusCodes.Status404NotFound => $"There is no {method} {path} in the API; /openapi/v1.json lists what there is.",
            StatusCodes.Status405MethodNotAllowed => $"{path} does not take {method}; it takes {http.Response.Headers.Allow}.",
            StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            StatusCodes.Status429TooManyRequests => "Too many requests; wait and try again.",
            _ => $"{method} {path} failed with status {status}.",
        };
        return ApiProblem.WriteAsync(http, status, detail);
    }

    /// <summary>Exceptions on machine clients' routes become problems; the rest fall through to the error page.</summary>
    private sealed class ApiExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
        {
            if (!IsMachineClient(http.Request.Path)) return false;
            var (status, detail) = exception switch
            {
                BadHttpRequestException bad => (bad.StatusCode, Describe(bad)),
                _ => (StatusCodes.Status500InternalServerError, $"The request failed on the server; it was logged with request id {http.TraceIdentifier}."),
            };
            await ApiProblem.WriteAsync(http, status, detail);
            return true;
        }

        /// <summary>The binder's own words ("Failed to bind parameter "int? Cores" from "9999999999".") plus the JSON reader's, which says where.</summary>
        private static string Describe(BadHttpRequestException bad) =>
            bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
    }
}
