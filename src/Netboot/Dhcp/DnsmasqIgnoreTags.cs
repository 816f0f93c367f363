namespace Portal.Netboot.Dhcp;

/// <summary>
/// Netboot:Dhcp:IgnoreTags: "kind:value" rules, each turned into a dnsmasq tag (portal-ignore-N) set by
/// the matching dnsmasq directive and a <c>dhcp-ignore</c> on that tag, so a request that matches gets no
/// answer at all — no boot file, no sighting.
/// </summary>
public static class DnsmasqIgnoreTags
{
    /// <summary>Each kind an operator may write, and the dnsmasq directive that sets its tag.</summary>
    private static readonly Dictionary<string, Func<string, string, string>> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["vendor-class"] = (tag, value) => $"dhcp-vendorclass=set:{tag},{value}",
        ["user-class"] = (tag, value) => $"dhcp-userclass=set:{tag},{value}",
        ["client-arch"] = (tag, value) => $"dhcp-match=set:{tag},option:client-arch,{value}",
        ["circuit-id"] = (tag, value) => $"dhcp-circuitid=set:{tag},{value}",
        ["remote-id"] = (tag, value) => $"dhcp-remoteid=set:{tag},{value}",
    };

    /// <summary>Why the rule cannot be written into dnsmasq.conf, or null when it can.</summary>
    public static string? Problem(string rule)
    {
        var colon = rule.IndexOf(':');
        var (kind, value) = colon > 0 ? (rule[..colon].Trim(), rule[(colon + 1)..].Trim()) : ("", "");
        if (!Kinds.ContainsKey(kind))
            return $"write kind:value with a kind of {string.Join(", ", Kinds.Keys)} (e.g. vendor-class:Cisco).";
        if (value.Length == 0) return "the value after the colon is empty.";
        // A comma would start another dnsmasq argument, a newline another line: neither may come from a setting.
        if (value.Any(c => c is ',' or '#' or '"' or '\\' || char.IsControl(c) || c > '~'))
            return "the value may not hold commas, '#', quotes, backslashes or characters outside printable ASCII.";
        if (kind.Equals("client-arch", StringComparison.OrdinalIgnoreCase) && !(ushort.TryParse(value, out _) && value.All(char.IsAsciiDigit)))
            return "a client-arch is a number from 0 to 65535 (RFC 4578: 0 BIOS, 7 and 9 x86-64 UEFI, 11 arm64 UEFI, 16 x86-64 UEFI HTTP).";
        return null;
    }

    /// <summary>The dnsmasq lines for valid rules: per rule the directive that sets its tag, then the dhcp-ignore on it.</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<string> rules)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var colon = rules[i].IndexOf(':');
            var tag = $"portal-ignore-{i + 1}";
            yield return Kinds[rules[i][..colon].Trim()](tag, rules[i][(colon + 1)..].Trim());
            yield return $"dhcp-ignore=tag:{tag}";
        }
    }
}
