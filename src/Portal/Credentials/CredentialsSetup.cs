using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Credentials;
using Portal.Shell;

namespace Portal.Credentials;

internal static class CredentialsSetup
{
    public static void AddPortalCredentials(this WebApplicationBuilder builder)
    {
        builder.Services.AddCredentialImport();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<CredentialUploadCache>();
    }

    /// <summary>Form posts from the credential pages (upload → preview → import).</summary>
    public static void MapCredentialEndpoints(this WebApplication app)
    {
        var credentials = app.MapGroup("/admin/credentials").RequireAuthorization(IdentitySetup.AdminPolicy).ExcludeFromDescription();

        credentials.MapPost("/upload", async Task<RedirectHttpResult> (
                HttpContext http, CredentialImport import, CredentialUploadCache uploads, CurrentActor actor, IOptions<CredentialListLimits> limits) =>
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                var replace = form["replace"].Contains("true");
                var file = await CredentialUpload.ReadAsync(http.Request, limits.Value.MaxBytes, http.RequestAborted);
                if (file.TooLarge)
                    return TypedResults.Redirect("/admin/credentials?tooLarge=1");
                if (file.Content is null)
                    return TypedResults.Redirect("/admin/credentials?noFile=1");

                var preview = await import.PreviewAsync(file.Content, file.FileName, replace, http.RequestAborted);
                var upload = uploads.Store(actor.Get().UserId!, file.FileName ?? "upload", replace, preview);
                return TypedResults.Redirect($"/admin/credentials/preview/{upload.Id}");
            })
            // Outside the antiforgery check, which would read (buffer) the whole form first.
            .AddEndpointFilter(RefuseDeclaredTooLarge)
            .RequireAntiforgery();

        credentials.MapPost("/import/{id}", async Task<RedirectHttpResult> (
                string id, CredentialImport import, CredentialUploadCache uploads, CurrentActor actor, HttpContext http) =>
            {
                var who = actor.Get();
                if (uploads.Find(id, who.UserId) is not { } upload)
                    return TypedResults.Redirect($"/admin/credentials/preview/{id}");

                var result = await import.ImportAsync(upload.Preview, upload.FileName, upload.Replace, who, http.RequestAborted);
                if (!result.Succeeded)
                {
                    // Something changed since the preview (e.g. a concurrent import): show the new verdicts.
                    uploads.Save(upload with { Preview = result.Report });
                    return TypedResults.Redirect($"/admin/credentials/preview/{id}");
                }
                uploads.Remove(id);
                return TypedResults.Redirect($"/admin/credentials?imported={result.Added}&replaced={result.Replaced}");
            })
            .RequireAntiforgery();
    }

    private static async ValueTask<object?> RefuseDeclaredTooLarge(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var limits = http.RequestServices.GetRequiredService<IOptions<CredentialListLimits>>().Value;
        return CredentialUpload.DeclaredTooLarge(http.Request, limits.MaxBytes)
            ? TypedResults.Redirect("/admin/credentials?tooLarge=1")
            : await next(context);
    }
}
