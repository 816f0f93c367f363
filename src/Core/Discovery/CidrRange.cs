using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Discovery;

/// <summary>
/// An IPv4 range to probe, written as CIDR (<c>10.1.0.0/24</c>) or a single address. Expansion
/// is capped because every address costs a probe with a timeout; a typo like /8 instead of
/// /24 must be a clear error, not a discovery run that never ends.
/// </summary>
public sealed record CidrRange(IPAddress Network, int PrefixLength)
{
    public const int DefaultMaxAddresses = 65_536;

    /// <summary>Number of addresses <see cref="Expand"/> yields (network/broadcast excluded below /31).</summary>
    public long HostCount => PrefixLength >= 31 ? 1L << (32 - PrefixLength) : (1L << (32 - PrefixLength)) - 2;

    public override string ToString() => $"{Network}/{PrefixLength}";

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out CidrRange? range, out string error)
    {
        range = null;
        var s = text?.Trim();
        if (string.IsNullOrEmpty(s))
        {
            error = "The range is empty.";
            return false;
        }

        var slash = s.IndexOf('/');
        var addressText = slash < 0 ? s : s[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily != AddressFamily.InterNetwork ||
            addressText.Count(c => c == '.') != 3)
        {
            error = $"'{addressText}' is not an IPv4 address (only IPv4 ranges can be probed).";
            return false;
        }
        var prefix = 32;
        if (slash >= 0 && (!int.TryParse(s[(slash + 1)..], out prefix) || prefix is < 0 or > 32))
        {
            error = $"'{s}' has an invalid prefix length; expected /0 to /32.";
            return false;
        }

        var value = ToUInt32(address);
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0)
        {
            error = $"'{s}' has host bits set; did you mean {FromUInt32(value & mask)}/{prefix}?";
            return false;
        }
        range = new CidrRange(address, prefix);
        error = "";
        return true;
    }

    /// <summary>Checks the size before anything is enumerated.</summary>
    public bool TryExpand(int maxAddresses, [NotNullWhen(true)] out IReadOnlyList<IPAddress>? addresses, out string error)
    {
        addresses = null;
        if (HostCount > maxAddresses)
        {
            error = $"{this} has {HostCount:N0} addresses; the limit is {maxAddresses:N0}. Use a longer prefix or several smaller ranges.";
            return false;
        }
        addresses = Expand().ToList();
        error = "";
        return true;
    }

    private IEnumerable<IPAddress> Expand()
    {
        var first = ToUInt32(Network);
        var size = 1L << (32 - PrefixLength);
        var (from, count) = PrefixLength >= 31 ? (first, size) : (first + 1, size - 2);
        for (long i = 0; i < count; i++)
            yield return FromUInt32((uint)(from + i));
    }

    private static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static IPAddress FromUInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
