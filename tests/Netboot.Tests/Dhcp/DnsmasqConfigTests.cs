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
        IgnoreTags = ["vendor-class:Cisco Systems Inc. IP Phone", "client-arch:11", "circuit-id:ge-0/0/12"],
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
            IgnoreTags = ["phones", "client-arch:x86", "user-class:a,b"],
        });
        Assert.Equal(
        [
            "Netboot:Dhcp:Interface is not set: say which network interface dnsmasq answers on (e.g. eth1).",
            "Full mode needs Netboot:Dhcp:RangeStart and RangeEnd, the first and last IPv4 address to hand out (e.g. 10.20.0.100 and 10.20.0.200).",
            "Netboot:Dhcp:Router 'gateway' is not an IPv4 address.",
            "Netboot:Dhcp:DnsServers has '1.1.1', which is not an IPv4 address.",
            "Netboot:Dhcp:LeaseTime '12 h' is not a dnsmasq lease time (e.g. 12h, 30m, infinite).",
            "Netboot:Dhcp:IgnoreMacPrefixes has 'zz:00', which is not 1 to 5 hex bytes (e.g. 52:54:00).",
            "Netboot:Dhcp:IgnoreTags has 'phones': write kind:value with a kind of vendor-class, user-class, client-arch, circuit-id, remote-id (e.g. vendor-class:Cisco).",
            "Netboot:Dhcp:IgnoreTags has 'client-arch:x86': a client-arch is a number from 0 to 65535 (RFC 4578: 0 BIOS, 7 and 9 x86-64 UEFI, 11 arm64 UEFI, 16 x86-64 UEFI HTTP).",
            "Netboot:Dhcp:IgnoreTags has 'user-class:a,b': the value may not hold commas, '#', quotes, backslashes or characters outside printable ASCII.",
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

/// <summary>dnsmasq itself reads what the Portal writes (its --test syntax check), where dnsmasq is installed.</summary>
public sealed class DnsmasqAcceptsConfigTests
{
    [DnsmasqFact]
    public async Task DnsmasqAcceptsAFullConfigurationWithEveryKindOfIgnoreRule()
    {
        var options = new DhcpOptions
        {
            Mode = DhcpMode.Full, Interface = "br-prov", RangeStart = "10.20.0.100", RangeEnd = "10.20.0.200", IgnoreMacPrefixes = ["52:54:00"],
            IgnoreTags = ["vendor-class:Cisco Systems Inc. IP Phone", "user-class:no-portal", "client-arch:11", "circuit-id:ge-0/0/12", "remote-id:leaf-7"],
        };
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, DnsmasqConfig.Render(new DnsmasqInputs(options, new PortalUrls("http://10.20.0.1:5080"), "/tmp/dnsmasq-test.leases", null)));
            var psi = new System.Diagnostics.ProcessStartInfo(DnsmasqFactAttribute.Path!, ["--test", $"--conf-file={path}"]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var dnsmasq = System.Diagnostics.Process.Start(psi)!;
            var said = await dnsmasq.StandardError.ReadToEndAsync() + await dnsmasq.StandardOutput.ReadToEndAsync();
            await dnsmasq.WaitForExitAsync();
            Assert.True(dnsmasq.ExitCode == 0, said);
            Assert.Contains("syntax check OK", said);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A fact that runs dnsmasq; skipped with the reason when it is not installed (scripts/prereqs.sh test installs it).</summary>
public sealed class DnsmasqFactAttribute : FactAttribute
{
    public static readonly string? Path = new[] { "/usr/sbin/dnsmasq", "/usr/bin/dnsmasq" }.FirstOrDefault(File.Exists);

    public DnsmasqFactAttribute()
    {
        if (Path is null) Skip = "dnsmasq is not installed (apt-get install dnsmasq), so its own syntax check of the rendered configuration cannot run.";
    }
}
