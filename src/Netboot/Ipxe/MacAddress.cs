using System.Diagnostics.CodeAnalysis;

namespace Portal.Netboot.Ipxe;

/// <summary>
/// MAC addresses in the one form the portal stores and compares: lowercase, colon-separated
/// (<c>52:54:00:12:34:56</c>). Accepts what iPXE and BMCs print: colons or hyphens, any case.
/// </summary>
public static class MacAddress
{
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (value is null || value.Length != 17) return false;
        var separator = value[2];
        if (separator is not (':' or '-')) return false;
        Span<char> result = stackalloc char[17];
        for (var i = 0; i < 17; i++)
        {
            var c = value[i];
            if (i % 3 == 2)
            {
                if (c != separator) return false;
                result[i] = ':';
            }
            else
            {
                if (!char.IsAsciiHexDigit(c)) return false;
                result[i] = char.ToLowerInvariant(c);
            }
        }
        normalized = new string(result);
        // All zeros is what a NIC without a programmed address reports; it identifies nothing.
        return normalized != "00:00:00:00:00:00";
    }
}
