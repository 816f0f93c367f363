namespace Portal.Core.Discovery.Leases;

/// <summary>
/// How parse issues may quote a lease file. An admin chooses the path, so the file may be anything
/// the Portal can read: an issue quotes a field only when it is short and made of the characters a
/// lease field has (addresses, MACs, dates, numbers, host names), and otherwise only says how long it
/// was — never a fragment of a line that is not a lease (a password hash, a key).
/// </summary>
public static class LeaseText
{
    /// <summary>Longest field quoted: an IPv6 address in full.</summary>
    public const int MaxQuotedLength = 39;

    public static bool IsShortField(string value) =>
        value.Length <= MaxQuotedLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or ':' or '-' or '/' or '_');

    /// <summary>'value' when it may be shown; otherwise "a field of N characters".</summary>
    public static string Quote(string value) => IsShortField(value) ? $"'{value}'" : $"a field of {value.Length} characters";
}
