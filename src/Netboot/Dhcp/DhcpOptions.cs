namespace Portal.Netboot.Dhcp;

/// <summary>How the Portal answers firmware on the network with dnsmasq.</summary>
public enum DhcpMode
{
    /// <summary>No dnsmasq: another server (or QEMU's built-in DHCP) tells machines where to boot.</summary>
    Off,
    /// <summary>proxyDHCP: the site's DHCP server keeps handing out addresses; dnsmasq adds only the boot information.</summary>
    Proxy,
    /// <summary>dnsmasq is the DHCP server of an isolated provisioning network (range, router, DNS from here).</summary>
    Full,
}

/// <summary>
/// Configuration section "Netboot:Dhcp". The URL machines are sent to is Netboot:PublicBaseUrl, the
/// same one stored in every script; only the way firmware learns it is configured here.
/// </summary>
public sealed class DhcpOptions
{
    public const string Section = "Netboot:Dhcp";

    public DhcpMode Mode { get; set; } = DhcpMode.Off;

    /// <summary>The network interface dnsmasq answers on (e.g. eth1, br-prov). Required unless Off.</summary>
    public string? Interface { get; set; }

    /// <summary>Full mode: first and last address handed out, e.g. 10.20.0.100 and 10.20.0.200.</summary>
    public string? RangeStart { get; set; }
    public string? RangeEnd { get; set; }

    /// <summary>Full mode: the network's mask (default 255.255.255.0).</summary>
    public string Netmask { get; set; } = "255.255.255.0";

    /// <summary>Full mode: how long a lease lasts (dnsmasq's spelling: 12h, 30m, infinite).</summary>
    public string LeaseTime { get; set; } = "12h";

    /// <summary>Full mode: the default gateway handed out; unset hands out none (an isolated network).</summary>
    public string? Router { get; set; }

    /// <summary>Full mode: DNS servers handed out; empty hands out none.</summary>
    public List<string> DnsServers { get; set; } = [];

    /// <summary>
    /// Proxy mode: the network the site's DHCP server serves (e.g. 10.0.0.0); unset uses the
    /// interface's own network, which is what almost every site wants.
    /// </summary>
    public string? ProxySubnet { get; set; }

    /// <summary>MAC prefixes (e.g. 52:54:00 or 52:54:00:12) that are not the Portal's business: never answered.</summary>
    public List<string> IgnoreMacPrefixes { get; set; } = [];

    /// <summary>
    /// Requests that are not the Portal's business, by what they carry rather than their MAC: each entry
    /// "kind:value" becomes a dnsmasq tag that is never answered (dhcp-ignore). Kinds: vendor-class and
    /// user-class (options 60 and 77, substring match), client-arch (option 93, a number), circuit-id and
    /// remote-id (a relay's option 82: the switch port or the switch). See <see cref="DnsmasqIgnoreTags"/>.
    /// </summary>
    public List<string> IgnoreTags { get; set; } = [];

    /// <summary>Where Debian's ipxe package puts undionly.kpxe, ipxe.efi and snponly.efi.</summary>
    public string IpxeDirectory { get; set; } = "/usr/lib/ipxe";

    /// <summary>
    /// True (default): the Portal runs dnsmasq itself. False: it only writes the configuration and the lease
    /// file's place into StateDirectory, for a dnsmasq run beside it (docker/compose.yaml's dnsmasq service).
    /// </summary>
    public bool Supervise { get; set; } = true;

    /// <summary>The dnsmasq program (on PATH unless a path is given).</summary>
    public string DnsmasqPath { get; set; } = "dnsmasq";

    /// <summary>Where the generated dnsmasq.conf and the lease file go; the Portal uses {DataDirectory}/dnsmasq when unset.</summary>
    public string? StateDirectory { get; set; }
}
