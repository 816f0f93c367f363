using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Api;
using Portal.Core.Credentials;
using Portal.Core.Persistence;

namespace Portal.Credentials;

internal static class CredentialApi
{
    public sealed record CredentialResponse(long Id, string Mac, string Username, string? Serial, string? Vendor, string? Notes, DateTimeOffset ImportedAt, string ImportedBy);

    /// <summary><c>RowReport</c>: every row as the preview shows it (verdict, errors, warnings; never a password).</summary>
    public sealed record ImportResponse(bool DryRun, int Rows, int Added, int Replaced, IReadOnlyList<string> Warnings, IReadOnlyList<CredentialReport.Row> RowReport);

    public static void MapCredentialApi(this RouteGroupBuilder api)
    {
        var credentials = api.MapGroup("/credentials").RequireAuthorization(IdentitySetup.AdminPolicy).WithTags("Credentials");

        credentials.MapGet("/", async Task<Ok<List<CredentialResponse>>> (AppDbContext db) =>
                TypedResults.Ok(await db.VendorCredentials.AsNoTracking().OrderBy(c => c.Mac)
                    .Select(c => new CredentialResponse(c.Id, c.Mac, c.Username, c.Serial, c.Vendor, c.Notes, c.ImportedAt, c.ImportedBy))
                    .ToListAsync()))
            .WithName("ListVendorCredentials").WithSummary("Stored vendor credentials by BMC MAC (never their passwords).");

        credentials.MapPost("/import", async Task<Results<Ok<ImportResponse>, UnprocessableEntity<ApiProblem>, BadRequest<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                HttpContext http, CredentialImport import, CurrentActor actor, IOptions<CredentialListLimits> limits, bool? replace, bool? dryRun) =>
            {
                var file = await CredentialUpload.ReadAsync(http.Request, limits.Value.MaxBytes, http.RequestAborted);
                if (file.TooLarge)
                    return TypedResults.Json(new ApiProblem(UploadedFile.TooLargeMessage(limits.Value.MaxBytes)), statusCode: StatusCodes.Status413PayloadTooLarge);
                if (file.Content is null)
                    return TypedResults.BadRequest(new ApiProblem(file.Error ?? "Send the credential list as the request body or as multipart field \"file\"."));

                var preview = await import.PreviewAsync(file.Content, file.FileName, replace ?? false, http.RequestAborted);
                if (!preview.IsImportable)
                    return TypedResults.UnprocessableEntity(CredentialReport.From(preview).ToProblem());
                var warnings = preview.FileWarnings.Concat(preview.Rows.SelectMany(r => r.Warnings.Select(w => $"line {r.LineNumber}: {w}"))).ToList();
                if (dryRun == true)
                {
                    var replacing = preview.Rows.Count(r => r.ReplacesExisting);
                    return TypedResults.Ok(new ImportResponse(true, preview.Rows.Count, preview.Rows.Count - replacing, replacing, warnings, CredentialReport.From(preview).Rows));
                }

                var result = await import.ImportAsync(preview, file.FileName, replace ?? false, actor.Get(), http.RequestAborted);
                return result.Succeeded
                    ? TypedResults.Ok(new ImportResponse(false, preview.Rows.Count, result.Added, result.Replaced, warnings, CredentialReport.From(preview).Rows))
                    : TypedResults.UnprocessableEntity(CredentialReport.From(result.Report).ToProblem());
            })
            .Accepts<string>("text/csv", "application/json", "multipart/form-data")
            .WithMetadata(new ApiInputGuard.ReadsItsOwnBody())
            .Produces<ApiProblem>(StatusCodes.Status413PayloadTooLarge)
            .WithName("ImportVendorCredentials")
            .WithSummary("Import a vendor credential list (CSV or JSON; raw body or multipart field \"file\"). All or nothing: 422 with the per-row report when any row is wrong; 413 when over the size limit.");
    }
}
