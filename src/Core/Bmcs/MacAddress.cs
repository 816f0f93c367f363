using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Bmcs;

/// <summary>
/// A 48-bit Ethernet MAC address. Vendors, DHCP servers and BMCs spell MACs in several ways;
/// everything in Portal is keyed by this normalised value so "AA-BB-..." from a vendor list and
/// "aa:bb:..." from a lease file match.
/// </summary>
[JsonConverter(typeof(MacAddressJsonConverter))]
public readonly record struct MacAddress : IComparable<MacAddress>
{
    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value;

    /// <summary>The address as a 48-bit number (useful for ordering and compact storage).</summary>
    public ulong Value => _value;

    /// <summary>Canonical lower-case colon form, e.g. <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public override string ToString()
    {
        Span<char> chars = stackalloc char[17];
        for (var i = 0; i < 6; i++)
        {
            var b = (byte)(_value >> (8 * (5 - i)));
            chars[i * 3] = "0123456789abcdef"[b >> 4];
            chars[i * 3 + 1] = "0123456789abcdef"[b & 0xF];
            if (i < 5) chars[i * 3 + 2] = ':';
        }
        return new string(chars);
    }

    public int CompareTo(MacAddress other) => _value.CompareTo(other._value);

    /// <summary>Parses a MAC, throwing <see cref="FormatException"/> with the specific reason.</summary>
    public static MacAddress Parse(string? text) =>
        TryParse(text, out var mac, out var error) ? mac : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac) => TryParse(text, out mac, out _);

    /// <summary>
    /// Accepts <c>aa:bb:cc:dd:ee:ff</c>, <c>AA-BB-CC-DD-EE-FF</c>, <c>aabb.ccdd.eeff</c> (Cisco) and
    /// bare 12-digit hex. Rejects all-zero and broadcast because vendor lists use them as
    /// placeholders and they can never identify a BMC.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress mac, out string error)
    {
        mac = default;
        var s = text?.Trim();
        if (string.IsNullOrEmpty(s))
        {
            error = "MAC address is empty.";
            return false;
        }

        if (!TryGetLayout(s, out var separator, out var groupSize, out error))
            return false;

        ulong value = 0;
        var digits = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            // Separator positions are fixed by the layout: one after every group.
            var isSeparatorPosition = separator != '\0' && (i + 1) % (groupSize + 1) == 0;
            if (isSeparatorPosition)
            {
                if (c != separator)
                {
                    error = $"MAC address '{s}' has '{c}' at position {i + 1} where '{separator}' was expected.";
                    return false;
                }
                continue;
            }

            var nibble = HexValue(c);
            if (nibble < 0)
            {
                error = $"MAC address '{s}' has a non-hex character '{c}' at position {i + 1}.";
                return false;
            }
            value = (value << 4) | (uint)nibble;
            digits++;
        }

        if (digits != 12)
        {
            error = $"MAC address '{s}' has {digits} hex digits; expected 12.";
            return false;
        }
        if (value == 0)
        {
            error = "MAC address 00:00:00:00:00:00 is a placeholder, not a real device.";
            return false;
        }
        if (value == 0xFFFF_FFFF_FFFF)
        {
            error = "MAC address ff:ff:ff:ff:ff:ff is the broadcast address, not a device.";
            return false;
        }

        mac = new MacAddress(value);
        error = "";
        return true;
    }

    private static bool TryGetLayout(string s, out char separator, out int groupSize, out string error)
    {
        error = "";
        separator = '\0';
        groupSize = 12;
        var hasColon = s.Contains(':');
        var hasDash = s.Contains('-');
        var hasDot = s.Contains('.');
        if ((hasColon ? 1 : 0) + (hasDash ? 1 : 0) + (hasDot ? 1 : 0) > 1)
        {
            error = $"MAC address '{s}' mixes separators; use one of ':', '-' or '.'.";
            return false;
        }

        (separator, groupSize) = hasColon ? (':', 2) : hasDash ? ('-', 2) : hasDot ? ('.', 4) : ('\0', 12);
        var expectedLength = separator == '\0' ? 12 : separator == '.' ? 14 : 17;
        if (s.Length != expectedLength)
        {
            var form = separator switch
            {
                '\0' => "12 hex digits",
                '.' => "the form aabb.ccdd.eeff",
                _ => $"the form aa{separator}bb{separator}cc{separator}dd{separator}ee{separator}ff",
            };
            error = $"MAC address '{s}' has the wrong length ({s.Length} characters); expected {form}.";
            return false;
        }
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}

/// <summary>Serialises MACs as their canonical string so APIs and job data stay readable.</summary>
internal sealed class MacAddressJsonConverter : JsonConverter<MacAddress>
{
    public override MacAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return MacAddress.TryParse(text, out var mac, out var error) ? mac : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, MacAddress value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
