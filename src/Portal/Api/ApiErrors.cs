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
        // A parameter or body that does not bind throws BadHttpRequestException with a message naming it
        // (outside Development it would otherwise be a bare 400 and a log line).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    }

    public static void UsePortalErrors(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Portal:DeveloperExceptionPage"))
        {
            app.UseWhen(http => IsMachineClient(http.Request.Path), client => client.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = ProblemForExceptionAsync,
            }));
            app.UseWhen(http => !IsMachineClient(http.Request.Path), people => people.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                CreateScopeForErrors = true,
                StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            }));
        }
        app.UseWhen(http => IsApi(http.Request.Path), api =>
        {
            api.UseStatusCodePages(context => ExplainStatusAsync(context.HttpContext));
            api.Use(AnswerUnmatchedRoutesAsync);
            // Endpoints refuse with typed results carrying an ApiProblem (BadRequest<ApiProblem> …), which ASP.NET Core
            // writes as application/json; every error body on the API is one, so it goes out as what it is.
            api.Use((http, next) =>
            {
                http.Response.OnStarting(() =>
                {
                    if (http.Response.StatusCode >= 400 && http.Response.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
                        http.Response.ContentType = "application/problem+json";
                    return Task.CompletedTask;
                });
                return next(http);
            });
        });
    }

    /// <summary>After authentication: only a caller the API accepts gets its input inspected.</summary>
    public static void UsePortalApiInputGuard(this WebApplication app) => app.UseMiddleware<ApiInputGuard>();

    public static bool IsApi(PathString path) => path.StartsWithSegments("/api");

    private static bool IsMachineClient(PathString path) => IsApi(path) || NetbootRoutes.Owns(path);

    /// <summary>
    /// A request that matched no API endpoint, or only routing's own 405 (wrong method) or 415 (wrong
    /// content type) endpoint, would meet the site's fallback policy, which takes the browser cookie and
    /// not API tokens: a caller with a good token would hear 401. Those answers say nothing the anonymous
    /// OpenAPI document does not, so they are given before authentication, as what they are.
    /// </summary>
    private static Task AnswerUnmatchedRoutesAsync(HttpContext http, RequestDelegate next)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return endpoint.DisplayName is { } name && (name.StartsWith("405 ", StringComparison.Ordinal) || name.StartsWith("415 ", StringComparison.Ordinal))
                                                && endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is null
            ? endpoint.RequestDelegate!(http)
            : next(http);
    }

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

    /// <summary>An exception on a machine client's route: the binder's own words for bad input, a request id for a failure — never a stack trace.</summary>
    private static Task ProblemForExceptionAsync(HttpContext http)
    {
        var (status, detail) = http.Features.Get<IExceptionHandlerFeature>()?.Error switch
        {
            // "Failed to bind parameter "int? Cores" from "9999999999"." plus, for JSON, the reader's words, which say where.
            BadHttpRequestException { InnerException: JsonException json } bad => (bad.StatusCode, $"{bad.Message} {json.Message}"),
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            _ => (StatusCodes.Status500InternalServerError, $"The request failed on the server; it was logged with request id {http.TraceIdentifier}."),
        };
        return ApiProblem.WriteAsync(http, status, detail);
    }
}
