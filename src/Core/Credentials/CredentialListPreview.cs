using Portal.Core.Bmcs;

namespace Portal.Core.Credentials;

public enum CredentialListFormat
{
    Csv,
    Json,
}

/// <summary>
/// The parsed upload, shown to the admin before anything is saved. Import is all-or-nothing:
/// <see cref="IsImportable"/> is false when the file itself was refused or any row has an error.
/// </summary>
public sealed record CredentialListPreview(
    CredentialListFormat Format,
    IReadOnlyList<CredentialListRow> Rows,
    IReadOnlyList<string> FileErrors,
    IReadOnlyList<string> FileWarnings)
{
    public int OkCount => Rows.Count(r => r.IsOk);

    public int ErrorCount => Rows.Count(r => !r.IsOk);

    public bool IsImportable => FileErrors.Count == 0 && Rows.Count > 0 && Rows.All(r => r.IsOk);

    /// <summary>
    /// Checks rows against MACs already stored (the caller reads them from the database). With
    /// <paramref name="replace"/> the rows are marked as replacing those entries; without it each
    /// becomes an error so nothing is silently overwritten.
    /// </summary>
    public CredentialListPreview WithExistingEntries(IReadOnlySet<MacAddress> existingMacs, bool replace)
    {
        var rows = Rows.Select(row =>
        {
            if (row.Mac is not { } mac || !existingMacs.Contains(mac))
                return row;
            return replace
                ? row with { ReplacesExisting = true }
                : row with { Errors = [.. row.Errors, $"A credential for {mac} already exists; choose \"replace\" to overwrite it."] };
        }).ToList();
        return this with { Rows = rows };
    }

    public override string ToString() =>
        $"{Format} credential list: {Rows.Count} rows, {OkCount} ok, {ErrorCount} with errors" +
        (FileErrors.Count > 0 ? $"; refused: {string.Join("; ", FileErrors)}" : "");
}
