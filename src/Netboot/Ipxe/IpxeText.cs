namespace Portal.Netboot.Ipxe;

/// <summary>
/// iPXE reads its script line by line, splits on whitespace, expands <c>${...}</c> and treats
/// <c>||</c> / <c>&amp;&amp;</c> as operators. Anything placed into a script goes through here
/// so a value can never add a command or pull in a firmware setting.
/// </summary>
internal static class IpxeText
{
    /// <summary>A single kernel argument or URL: must stay one word iPXE passes through unchanged.</summary>
    public static string Word(string value, string what)
    {
        if (value.Length == 0)
            throw new NetbootRenderException($"{what} is empty.");
        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c > '~'))
            throw new NetbootRenderException($"{what} '{Shorten(value)}' contains whitespace, control or non-ASCII characters.");
        if (value.Contains("${", StringComparison.Ordinal))
            throw new NetbootRenderException($"{what} '{Shorten(value)}' contains '${{', which iPXE would expand as a setting.");
        if (value is "||" or "&&" || value.Contains('"') || value.Contains('\'') || value.StartsWith('#'))
            throw new NetbootRenderException($"{what} '{Shorten(value)}' contains characters iPXE would interpret (quotes, a leading '#', '||' or '&&').");
        return value;
    }

    /// <summary>Free text for a comment or echo: reduced to a harmless single line.</summary>
    public static string Line(string text, int maxLength = 200)
    {
        var chars = text.Select(c => char.IsAsciiLetterOrDigit(c) || " .,:;_-/()@+=!?'".Contains(c) ? c : '?').ToArray();
        var line = new string(chars).Trim();
        return line.Length > maxLength ? line[..maxLength] + "..." : line;
    }

    private static string Shorten(string value) =>
        value.Length > 60 ? value[..60] + "..." : value;
}
