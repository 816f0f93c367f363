namespace Portal.Core.Text;

/// <summary>
/// Text that people and machines send must not carry control characters: PostgreSQL refuses NUL in
/// text outright (the request would fail at the database, far from its cause), and the rest have no
/// place in names, keys or messages. Tab, line feed and carriage return are allowed where a field may
/// hold several lines (<paramref name="multiline"/>).
/// </summary>
public static class ControlCharacters
{
    /// <summary>The first forbidden character's position, or -1.</summary>
    public static int IndexIn(string? value, bool multiline = false)
    {
        if (value is null) return -1;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(multiline && c is '\t' or '\n' or '\r')) return i;
        }
        return -1;
    }

    /// <summary>"{field} contains a control character (U+0000 at position 4); remove it.", or null when there is none.</summary>
    public static string? Problem(string field, string? value, bool multiline = false) =>
        IndexIn(value, multiline) is var i and >= 0
            ? $"{field} contains a control character (U+{(int)value![i]:X4} at position {i + 1}); remove it."
            : null;
}
