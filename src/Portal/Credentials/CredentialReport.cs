using System.Text.RegularExpressions;
using Portal.Core.Credentials;

namespace Portal.Credentials;

/// <summary>
/// The per-row report as the preview page and the API show it. Built field by field (not by
/// serialising the row) so a password can never slip into a response. Rows that are
/// structurally broken (wrong column count, bad quoting) show only their line and errors: their
/// fields are misaligned, so "username" or "MAC" may really hold part of a password.
/// </summary>
internal sealed partial record CredentialReport(
    string Format, int RowCount, int OkCount, int ErrorCount,
    IReadOnlyList<string> FileErrors, IReadOnlyList<string> FileWarnings, IReadOnlyList<CredentialReport.Row> Rows)
{
    public sealed record Row(int Line, string? RawMac, string? Mac, string? Username, string? Serial, string? Vendor, string? Notes,
        string Verdict, bool ReplacesExisting, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
    {
        public bool IsOk => Verdict == nameof(CredentialRowVerdict.Ok);
    }

    public static CredentialReport From(CredentialListPreview preview) => new(
        preview.Format.ToString().ToLowerInvariant(), preview.Rows.Count, preview.OkCount, preview.ErrorCount,
        preview.FileErrors, preview.FileWarnings, preview.Rows.Select(ToRow).ToList());

    /// <summary>
    /// The API's 422: a problem whose detail sums up why nothing was imported, with the report's own
    /// fields (rows with their errors, file errors) beside it, as before.
    /// </summary>
    public Portal.Api.ApiProblem ToProblem()
    {
        var detail = FileErrors.Count > 0
            ? $"Nothing was imported: {string.Join(" ", FileErrors)}"
            : $"Nothing was imported: {ErrorCount} of {RowCount} rows cannot be imported (see rows for each row's errors).";
        var problem = new Portal.Api.ApiProblem(detail);
        problem.Extensions["format"] = Format;
        problem.Extensions["rowCount"] = RowCount;
        problem.Extensions["okCount"] = OkCount;
        problem.Extensions["errorCount"] = ErrorCount;
        problem.Extensions["fileErrors"] = FileErrors;
        problem.Extensions["fileWarnings"] = FileWarnings;
        problem.Extensions["rows"] = Rows;
        return problem;
    }

    private static Row ToRow(CredentialListRow r)
    {
        var errors = r.Errors.Select(e => QuotedCharacter().Replace(e, "Unexpected character ")).ToList();
        if (r.Errors.Any(IsStructural))
            return new Row(r.LineNumber, null, null, null, null, null, null, r.Verdict.ToString(), false, errors, r.Warnings);
        return new Row(r.LineNumber, r.RawMac, r.Mac?.ToString(), r.Username, r.Serial, r.Vendor, r.Notes,
            r.Verdict.ToString(), r.ReplacesExisting, errors, r.Warnings);
    }

    private static bool IsStructural(string error) =>
        error.StartsWith("Wrong column count", StringComparison.Ordinal)
        || error.StartsWith("Unterminated quote", StringComparison.Ordinal)
        || error.StartsWith("Unexpected character", StringComparison.Ordinal);

    // The CSV reader names the offending character, which may be part of a password.
    [GeneratedRegex("^Unexpected character '.' ")]
    private static partial Regex QuotedCharacter();
}
