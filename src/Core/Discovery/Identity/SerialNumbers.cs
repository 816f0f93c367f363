namespace Portal.Core.Discovery.Identity;

/// <summary>
/// Serials that vendors and board makers ship unfilled. Thousands of machines in one fleet can
/// report the same one, so such a serial says nothing about which machine this is.
/// </summary>
public static class SerialNumbers
{
    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "To Be Filled By O.E.M.", "To Be Filled By OEM", "Default string", "System Serial Number", "Not Specified", "Not Applicable",
        "None", "N/A", "NA", "Unknown", "Default", "Serial", "SerialNumber", "0123456789", "123456789", "1234567890",
        "Chassis Serial Number", "Base Board Serial Number", "OEM", "Empty", "Invalid",
    };

    /// <summary>True for an empty serial, a known placeholder, or one made of a single repeated 0, X, F, 9, space or dot.</summary>
    public static bool IsGeneric(string? serial)
    {
        var s = serial?.Trim();
        if (string.IsNullOrEmpty(s)) return true;
        if (Placeholders.Contains(s)) return true;
        var first = char.ToUpperInvariant(s[0]);
        return "0XF9.-".Contains(first) && s.All(c => char.ToUpperInvariant(c) == first);
    }
}
