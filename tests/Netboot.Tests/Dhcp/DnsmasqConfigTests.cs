using Portal.Netboot.Dhcp;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Tests.Dhcp;

public sealed class DnsmasqConfigTests
{
    private static readonly PortalUrls Portal = new("http://10.20.0.1:5080");

    private static DhcpOptions Full() => new()
    {
        Mode = DhcpMode.Full, Interface = "br-prov", RangeStart = "10.20.0.100", RangeEnd = "10.20.0.200",
        Router = "10.20.0.1", DnsServers = ["10.20.0.2", "10.20.0.3"], IgnoreMacPrefixes = ["52:54:00", "AA-BB-CC-DD"],
    };

    [Fact]
    public void FullModeHandsOutAddressesAndTheBootFileEachFirmwareNeeds() =>
        Golden.Matches("dnsmasq-full.conf", DnsmasqConfig.Render(new DnsmasqInputs(Full(), Portal, "/var/lib/portal/dnsmasq/dnsmasq.leases", null)));

    [Fact]
    public void ProxyModeAddsOnlyBootInformationForTheInterfacesNetwork() =>
        Golden.Matches("dnsmasq-proxy.conf", DnsmasqConfig.Render(new DnsmasqInputs(
            new DhcpOptions { Mode = DhcpMode.Proxy, Interface = "eth1" }, Portal, "/var/lib/portal/dnsmasq/dnsmasq.leases", "10.0.0.0")));

    [Fact]
    public void AFullNetworkWithoutRouterOrDnsHandsOutNeitherInsteadOfDnsmasqItself()
    {
        var config = DnsmasqConfig.Render(new DnsmasqInputs(Full(), Portal, "/l", null) with
        {
            Options = new DhcpOptions { Mode = DhcpMode.Full, Interface = "br0", RangeStart = "10.1.0.10", RangeEnd = "10.1.0.20" },
        });
        Assert.Contains("\ndhcp-option=option:router\n", config);
        Assert.Contains("\ndhcp-option=option:dns-server\n", config);
    }

    [Fact]
    public void EveryMissingOrMalformedSettingIsNamedInOneSentenceEach()
    {
        var problems = DnsmasqConfig.Problems(new DhcpOptions
        {
            Mode = DhcpMode.Full, RangeStart = "10.0.0.300", Router = "gateway", DnsServers = ["1.1.1"], IgnoreMacPrefixes = ["zz:00"], LeaseTime = "12 h",
        });
        Assert.Equal(
        [
            "Netboot:Dhcp:Interface is not set: say which network interface dnsmasq answers on (e.g. eth1).",
            "Full mode needs Netboot:Dhcp:RangeStart and RangeEnd, the first and last IPv4 address to hand out (e.g. 10.20.0.100 and 10.20.0.200).",
            "Netboot:Dhcp:Router 'gateway' is not an IPv4 address.",
            "Netboot:Dhcp:DnsServers has '1.1.1', which is not an IPv4 address.",
            "Netboot:Dhcp:LeaseTime '12 h' is not a dnsmasq lease time (e.g. 12h, 30m, infinite).",
            "Netboot:Dhcp:IgnoreMacPrefixes has 'zz:00', which is not 1 to 5 hex bytes (e.g. 52:54:00).",
        ], problems);
        Assert.Throws<ArgumentException>(() => DnsmasqConfig.Render(new DnsmasqInputs(new DhcpOptions { Mode = DhcpMode.Full, Interface = "br0" }, Portal, "/l", null)));
    }

    [Fact]
    public void ProxyModeWithoutANetworkToServeIsRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => DnsmasqConfig.Render(new DnsmasqInputs(new DhcpOptions { Mode = DhcpMode.Proxy, Interface = "eth9" }, Portal, "/l", null)));
        Assert.StartsWith("Proxy mode needs the network the site's DHCP server serves: interface eth9 has no IPv4 address", e.Message);
    }

    [Theory]
    [InlineData("52:54:00", "52:54:00:*:*:*")]
    [InlineData("52-54-00-1A", "52:54:00:1a:*:*")]
    [InlineData("525400", "52:54:00:*:*:*")]
    [InlineData("5", null)]
    [InlineData("52:54:00:11:22:33", null)]
    public void MacPrefixesBecomeDnsmasqWildcards(string prefix, string? pattern) => Assert.Equal(pattern, DnsmasqConfig.MacPattern(prefix));
}
