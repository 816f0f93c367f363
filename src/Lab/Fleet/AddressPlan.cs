using System.Net;

namespace Portal.Lab.Fleet;

/// <summary>Hands out consecutive 127.x addresses, skipping .0 and .255 so each looks like a usable host.</summary>
internal static class AddressPlan
{
    public static IReadOnlyList<IPAddress> Allocate(string first, int count)
    {
        if (!IPAddress.TryParse(first, out var start) || start.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new ArgumentException($"FirstAddress '{first}' is not an IPv4 address.");
        var bytes = start.GetAddressBytes();
        if (bytes[0] != 127) throw new ArgumentException($"FirstAddress '{first}' is not a loopback (127.x) address: the lab only binds loopback.");

        var list = new List<IPAddress>(count);
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        while (list.Count < count)
        {
            if ((value >> 24) != 127) throw new ArgumentException($"{count} BMCs from {first} run past the end of 127.0.0.0/8.");
            var last = value & 0xff;
            if (last is not 0 and not 255) list.Add(new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)last]));
            value++;
        }
        return list;
    }
}
