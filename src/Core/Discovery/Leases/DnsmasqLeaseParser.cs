using System.Net;
using System.Net.Sockets;
using Portal.Core.Bmcs;

namespace Portal.Core.Discovery.Leases;

/// <summary>
/// Parses dnsmasq's lease file: one lease per line, <c>expiry mac ip hostname clientid</c>,
/// where expiry is Unix seconds (0 = infinite) and hostname is <c>*</c> when unknown.
/// </summary>
public static class DnsmasqLeaseParser
{
    public static LeaseFile Parse(string text, DateTimeOffset? now = null)
    {
        var clock = now ?? DateTimeOffset.UtcNow;
        var leases = new List<DhcpLease>();
        var issues = new List<LeaseParseIssue>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            // DHCPv6 leases follow a "duid" line and are keyed by IAID, not MAC; BMCs are found over v4.
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("duid ", StringComparison.Ordinal))
                continue;

            var parts = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3)
            {
                issues.Add(new(lineNumber, $"Expected 'expiry mac ip [hostname] [clientid]', found {parts.Length} field(s)."));
                continue;
            }
            if (!long.TryParse(parts[0], out var expiry) || expiry < 0)
            {
                issues.Add(new(lineNumber, $"The expiry, {LeaseText.Quote(parts[0])}, is not a Unix timestamp."));
                continue;
            }
            if (!IPAddress.TryParse(parts[2], out var address))
            {
                issues.Add(new(lineNumber, $"The address, {LeaseText.Quote(parts[2])}, is not an IP address."));
                continue;
            }
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
                continue;
            if (!MacAddress.TryParse(parts[1], out var mac, out var macError))
            {
                issues.Add(new(lineNumber, LeaseText.IsShortField(parts[1]) ? macError : $"The MAC address, {LeaseText.Quote(parts[1])}, is not a MAC address."));
                continue;
            }

            DateTimeOffset? ends = expiry == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(expiry);
            var hostname = parts.Length > 3 && parts[3] != "*" ? parts[3] : null;
            leases.Add(new DhcpLease(mac, address, hostname, null, ends, ends is null || ends > clock, lineNumber));
        }
        return new LeaseFile(leases, issues);
    }
}
