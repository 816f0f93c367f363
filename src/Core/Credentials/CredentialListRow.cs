using System.Text.Json.Serialization;
using Portal.Core.Bmcs;

namespace Portal.Core.Credentials;

public enum CredentialRowVerdict
{
    Ok,
    Error,
}

/// <summary>
/// One row of an uploaded credential list with its verdict. The password is kept in memory
/// only so the import can encrypt it; it is excluded from <see cref="ToString"/> and JSON so a
/// preview can be logged or returned by the API without leaking it.
/// </summary>
public sealed record CredentialListRow
{
    /// <summary>1-based line in the file (for JSON: the line of the object's opening brace).</summary>
    public required int LineNumber { get; init; }
    /// <summary>The row's position in a JSON array (several JSON rows may share a line); null for CSV.</summary>
    public int? Item { get; init; }

    /// <summary>The MAC as written in the file, for showing next to an error.</summary>
    public required string RawMac { get; init; }

    /// <summary>The normalised MAC, or null when it did not parse.</summary>
    public MacAddress? Mac { get; init; }

    public required string Username { get; init; }

    [JsonIgnore]
    public string Password { get; init; } = "";

    public string? Serial { get; init; }
    public string? Vendor { get; init; }
    public string? Notes { get; init; }

    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Things worth a look that do not block the import (e.g. whitespace around a password).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>True when an existing entry for this MAC will be overwritten (replace chosen).</summary>
    public bool ReplacesExisting { get; init; }

    public CredentialRowVerdict Verdict => Errors.Count == 0 ? CredentialRowVerdict.Ok : CredentialRowVerdict.Error;

    public bool IsOk => Errors.Count == 0;

    // Records print every property by default; this one must never print the password.
    public override string ToString() =>
        $"line {LineNumber}: {Mac?.ToString() ?? RawMac} user '{Username}' password ***; {Verdict}" +
        (Errors.Count > 0 ? $" ({string.Join("; ", Errors)})" : "");
}
