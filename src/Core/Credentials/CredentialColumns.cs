namespace Portal.Core.Credentials;

internal enum CredentialField
{
    Mac,
    Username,
    Password,
    Serial,
    Vendor,
    Notes,
}

/// <summary>Header spellings seen in vendor deliveries, compared without case, spaces, '_' or '-'.</summary>
internal static class CredentialColumns
{
    private static readonly Dictionary<string, CredentialField> Aliases = new(StringComparer.Ordinal)
    {
        ["bmcmac"] = CredentialField.Mac,
        ["mac"] = CredentialField.Mac,
        ["macaddress"] = CredentialField.Mac,
        ["bmcmacaddress"] = CredentialField.Mac,
        ["ipmimac"] = CredentialField.Mac,
        ["ipmimacaddress"] = CredentialField.Mac,
        ["idracmac"] = CredentialField.Mac,
        ["ilomac"] = CredentialField.Mac,
        ["hwaddr"] = CredentialField.Mac,
        ["username"] = CredentialField.Username,
        ["user"] = CredentialField.Username,
        ["login"] = CredentialField.Username,
        ["bmcuser"] = CredentialField.Username,
        ["bmcusername"] = CredentialField.Username,
        ["account"] = CredentialField.Username,
        ["password"] = CredentialField.Password,
        ["pass"] = CredentialField.Password,
        ["passwd"] = CredentialField.Password,
        ["pwd"] = CredentialField.Password,
        ["bmcpassword"] = CredentialField.Password,
        ["serial"] = CredentialField.Serial,
        ["serialnumber"] = CredentialField.Serial,
        ["serialno"] = CredentialField.Serial,
        ["sn"] = CredentialField.Serial,
        ["systemserial"] = CredentialField.Serial,
        ["servicetag"] = CredentialField.Serial,
        ["vendor"] = CredentialField.Vendor,
        ["manufacturer"] = CredentialField.Vendor,
        ["make"] = CredentialField.Vendor,
        ["notes"] = CredentialField.Notes,
        ["note"] = CredentialField.Notes,
        ["comment"] = CredentialField.Notes,
        ["comments"] = CredentialField.Notes,
        ["description"] = CredentialField.Notes,
    };

    public static CredentialField? Resolve(string header)
    {
        var key = new string(header.Where(c => c is not (' ' or '_' or '-' or '.')).Select(char.ToLowerInvariant).ToArray());
        return Aliases.TryGetValue(key, out var field) ? field : null;
    }

    public static readonly CredentialField[] Required = [CredentialField.Mac, CredentialField.Username, CredentialField.Password];
}

/// <summary>One record as read from the file, before validation.</summary>
/// <summary>
/// One row as read. Structural errors (a CSV row whose columns are misaligned) make its fields
/// meaningless, so no field is checked; field errors (a JSON field of the wrong type) leave the
/// other fields worth checking. <see cref="Item"/> is the JSON array position (JSON rows may share a line).
/// </summary>
internal sealed record RawCredentialRecord(int LineNumber, IReadOnlyDictionary<CredentialField, string> Values, IReadOnlyList<string> StructuralErrors,
    IReadOnlyList<string>? FieldErrors = null, int? Item = null)
{
    public override string ToString() => $"record on line {LineNumber}";
}

internal sealed record RawCredentialFile(IReadOnlyList<RawCredentialRecord> Records, IReadOnlyList<string> FileErrors, IReadOnlyList<string> FileWarnings)
{
    public static RawCredentialFile Refused(string error) => new([], [error], []);
}
