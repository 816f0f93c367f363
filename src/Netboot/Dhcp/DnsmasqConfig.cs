using System.Net;
using System.Text;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Dhcp;

/// <summary>What one dnsmasq.conf is made of: the settings, where the Portal is, and where dnsmasq keeps its leases.</summary>
/// <param name="ProxySubnet">Proxy mode: the network the site's DHCP server serves (from the settings or the interface).</param>
public sealed record DnsmasqInputs(DhcpOptions Options, PortalUrls Portal, string LeaseFile, string? ProxySubnet);

/// <summary>
/// dnsmasq's configuration, rendered from <see cref="DhcpOptions"/>. Which firmware is asking decides the
/// answer (RFC 4578 client architecture in option 93, vendor class 60, user class 77, iPXE's option 175):
/// BIOS PXE gets undionly.kpxe and x86-64 UEFI PXE ipxe.efi over TFTP, UEFI HTTP boot gets ipxe.efi over
/// HTTP from the Portal, and iPXE itself the Portal's /boot.ipxe. The tags are written so that no two
/// boot lines can match one request: the answer never depends on dnsmasq's order of preference.
/// </summary>
public static class DnsmasqConfig
{
    /// <summary>What Portal serves over HTTP for UEFI HTTP boot, and the TFTP names it hands out.</summary>
    public const string BiosLoader = "undionly.kpxe", EfiLoader = "ipxe.efi";

    /// <summary>The settings' problems, each a sentence an operator can act on; empty when dnsmasq can be started.</summary>
    public static IReadOnlyList<string> Problems(DhcpOptions o, bool forProxySubnet = true)
    {
        var problems = new List<string>();
        if (o.Mode == DhcpMode.Off) return problems;
        if (string.IsNullOrWhiteSpace(o.Interface))
            problems.Add("Netboot:Dhcp:Interface is not set: say which network interface dnsmasq answers on (e.g. eth1).");
        if (o.Mode == DhcpMode.Full)
        {
            if (!IsIPv4(o.RangeStart) || !IsIPv4(o.RangeEnd))
                problems.Add("Full mode needs Netboot:Dhcp:RangeStart and RangeEnd, the first and last IPv4 address to hand out (e.g. 10.20.0.100 and 10.20.0.200).");
            if (!IsIPv4(o.Netmask)) problems.Add($"Netboot:Dhcp:Netmask '{o.Netmask}' is not an IPv4 mask (e.g. 255.255.255.0).");
            if (o.Router is { Length: > 0 } router && !IsIPv4(router)) problems.Add($"Netboot:Dhcp:Router '{router}' is not an IPv4 address.");
            foreach (var dns in o.DnsServers.Where(d => !IsIPv4(d))) problems.Add($"Netboot:Dhcp:DnsServers has '{dns}', which is not an IPv4 address.");
            if (string.IsNullOrWhiteSpace(o.LeaseTime) || !o.LeaseTime.All(c => char.IsAsciiLetterOrDigit(c)))
                problems.Add($"Netboot:Dhcp:LeaseTime '{o.LeaseTime}' is not a dnsmasq lease time (e.g. 12h, 30m, infinite).");
        }
        if (o.Mode == DhcpMode.Proxy && forProxySubnet && o.ProxySubnet is { Length: > 0 } subnet && !IsIPv4(subnet))
            problems.Add($"Netboot:Dhcp:ProxySubnet '{subnet}' is not an IPv4 network address (e.g. 10.0.0.0).");
        foreach (var prefix in o.IgnoreMacPrefixes.Where(p => MacPattern(p) is null))
            problems.Add($"Netboot:Dhcp:IgnoreMacPrefixes has '{prefix}', which is not 1 to 5 hex bytes (e.g. 52:54:00).");
        foreach (var entry in o.IgnoreTags.Where(t => DnsmasqIgnoreTags.Problem(t) is not null))
            problems.Add($"Netboot:Dhcp:IgnoreTags has '{entry}': {DnsmasqIgnoreTags.Problem(entry)}");
        return problems;
    }

    public static string Render(DnsmasqInputs inputs)
    {
        var (o, portal) = (inputs.Options, inputs.Portal);
        if (o.Mode == DhcpMode.Off) throw new ArgumentException("dnsmasq has no configuration in mode Off.", nameof(inputs));
        if (Problems(o) is { Count: > 0 } problems) throw new ArgumentException(string.Join(" ", problems), nameof(inputs));
        var proxySubnet = o.ProxySubnet is { Length: > 0 } configured ? configured : inputs.ProxySubnet;
        if (o.Mode == DhcpMode.Proxy && !IsIPv4(proxySubnet))
            throw new ArgumentException($"Proxy mode needs the network the site's DHCP server serves: interface {o.Interface} has no IPv4 address, and Netboot:Dhcp:ProxySubnet is not set.", nameof(inputs));

        var c = new StringBuilder();
        c.AppendLine($"# dnsmasq configuration written by Portal from Netboot:Dhcp (mode {o.Mode}).");
        c.AppendLine("# Portal rewrites this file whenever it starts dnsmasq: change the settings, not the file.");
        c.AppendLine();
        c.AppendLine("# DHCP and TFTP only: no DNS server.");
        c.AppendLine("port=0");
        c.AppendLine($"interface={o.Interface}");
        c.AppendLine("bind-interfaces");
        c.AppendLine("log-dhcp");
        c.AppendLine($"dhcp-leasefile={inputs.LeaseFile}");
        c.AppendLine();
        if (o.Mode == DhcpMode.Full)
        {
            c.AppendLine("# The DHCP server of this network: addresses, and nothing a machine does not need.");
            c.AppendLine($"dhcp-range={o.RangeStart},{o.RangeEnd},{o.Netmask},{o.LeaseTime}");
            c.AppendLine("dhcp-authoritative");
            c.AppendLine(o.Router is { Length: > 0 } router ? $"dhcp-option=option:router,{router}" : "dhcp-option=option:router");
            c.AppendLine(o.DnsServers.Count > 0 ? $"dhcp-option=option:dns-server,{string.Join(',', o.DnsServers)}" : "dhcp-option=option:dns-server");
        }
        else
        {
            c.AppendLine("# proxyDHCP: the site's DHCP server hands out addresses; this adds only the boot information.");
            c.AppendLine($"dhcp-range={proxySubnet},proxy");
        }
        c.AppendLine();
        c.AppendLine("# TFTP for PXE firmware: the iPXE builds of Debian's ipxe package.");
        c.AppendLine("enable-tftp");
        c.AppendLine($"tftp-root={o.IpxeDirectory}");
        c.AppendLine();
        c.AppendLine("# Which firmware is asking: iPXE (its option 175, user class iPXE in option 77), then the client");
        c.AppendLine("# architecture in option 93 (0 BIOS, 7 and 9 x86-64 UEFI PXE, 16 x86-64 UEFI HTTP boot, which");
        c.AppendLine("# also says HTTPClient in its vendor class, option 60).");
        c.AppendLine("dhcp-match=set:ipxe,175");
        c.AppendLine("dhcp-userclass=set:ipxe,iPXE");
        c.AppendLine("dhcp-match=set:bios,option:client-arch,0");
        c.AppendLine("dhcp-match=set:efi64,option:client-arch,7");
        c.AppendLine("dhcp-match=set:efi64,option:client-arch,9");
        c.AppendLine("dhcp-match=set:http64,option:client-arch,16");
        c.AppendLine("dhcp-vendorclass=set:http64,HTTPClient");
        c.AppendLine();
        c.AppendLine("# What each one boots.");
        c.AppendLine($"dhcp-boot=tag:ipxe,{portal.Bootstrap}");
        c.AppendLine($"dhcp-boot=tag:!ipxe,tag:bios,{BiosLoader}");
        c.AppendLine($"dhcp-boot=tag:!ipxe,tag:!http64,tag:efi64,{EfiLoader}");
        c.AppendLine($"dhcp-boot=tag:!ipxe,tag:http64,{portal.Base}{NetbootRoutes.Ipxe}/{EfiLoader}");
        c.AppendLine("# UEFI HTTP boot takes an offer only when it names HTTPClient as its vendor class.");
        c.AppendLine("dhcp-option-force=tag:!ipxe,tag:http64,option:vendor-class,HTTPClient");
        if (o.Mode == DhcpMode.Proxy)
        {
            // Seen with iPXE 1.0.0 (Debian): it ignores a proxy offer's plain boot file name and asks the
            // boot server (port 4011) instead; as a PXE boot service the URL reaches it.
            c.AppendLine("# proxyDHCP answers are PXE boot services (dnsmasq sends no dhcp-boot on its own in proxy mode),");
            c.AppendLine("# asked for by client architecture: firmware gets an iPXE build, iPXE the Portal's /boot.ipxe.");
            foreach (var (csa, loader) in new[] { ("x86PC", BiosLoader), ("X86-64_EFI", EfiLoader), ("BC_EFI", EfiLoader) })
            {
                c.AppendLine($"pxe-service=tag:!ipxe,{csa},\"Portal\",{loader}");
                c.AppendLine($"pxe-service=tag:ipxe,{csa},\"Portal\",{portal.Bootstrap}");
            }
        }
        if (o.IgnoreMacPrefixes.Count > 0)
        {
            c.AppendLine();
            c.AppendLine("# Machines that are not Portal's business: never answered.");
            foreach (var prefix in o.IgnoreMacPrefixes) c.AppendLine($"dhcp-host={MacPattern(prefix)},ignore");
        }
        if (o.IgnoreTags.Count > 0)
        {
            c.AppendLine();
            c.AppendLine("# Requests that are not Portal's business by what they carry: each rule sets a tag, and a tagged request is never answered.");
            foreach (var line in DnsmasqIgnoreTags.Lines(o.IgnoreTags)) c.AppendLine(line);
        }
        return c.ToString();
    }

    /// <summary>"52:54:00" (or 52-54-00, 525400) → "52:54:00:*:*:*", dnsmasq's wildcard MAC; null when not 1–5 hex bytes.</summary>
    internal static string? MacPattern(string prefix)
    {
        var hex = new string(prefix.Where(c => c is not (':' or '-' or '.')).ToArray()).ToLowerInvariant();
        if (hex.Length is < 2 or > 10 || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit)) return null;
        var bytes = Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2));
        return string.Join(':', bytes.Concat(Enumerable.Repeat("*", 6 - hex.Length / 2)));
    }

    private static bool IsIPv4(string? text) =>
        text is { Length: > 0 } && IPAddress.TryParse(text, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') == 3;
}
