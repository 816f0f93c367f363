using Portal.Core.Bmcs;
using Portal.Core.Discovery.Leases;

namespace Portal.Core.Tests.Discovery;

public sealed class LeaseParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DnsmasqParserReadsLeasesAndSkipsCommentsAndBlankLines()
    {
        var text = """
            # leases written by dnsmasq
            1795000000 aa:bb:cc:00:00:01 127.0.40.1 bmc-1 01:aa:bb:cc:00:00:01

            0 AA:BB:CC:00:00:02 127.0.40.2 * *
            """;
        var file = DnsmasqLeaseParser.Parse(text, Now);

        Assert.Empty(file.Issues);
        Assert.Equal(2, file.Leases.Count);
        var first = file.Leases[0];
        Assert.Equal(MacAddress.Parse("aa:bb:cc:00:00:01"), first.Mac);
        Assert.Equal("127.0.40.1", first.Address.ToString());
        Assert.Equal("bmc-1", first.Hostname);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795000000), first.Ends);
        Assert.Equal(2, first.LineNumber);
        Assert.Null(file.Leases[1].Hostname);
        Assert.Null(file.Leases[1].Ends); // 0 = infinite
        Assert.True(file.Leases[1].IsActive);
    }

    [Fact]
    public void DnsmasqParserReportsBadLinesWithLineNumbersInsteadOfThrowing()
    {
        var text = "1795000000 aa:bb:cc:00:00:01 127.0.40.1 a *\r\n" +
                   "garbage\r\n" +
                   "soon zz:bb:cc:00:00:01 127.0.40.3 b *\r\n" +
                   "1795000000 zz:bb:cc:00:00:01 127.0.40.3 b *\r\n" +
                   "1795000000 aa:bb:cc:00:00:04 127.0.40.300 c *\r\n";
        var file = DnsmasqLeaseParser.Parse(text, Now);

        Assert.Single(file.Leases);
        Assert.Equal([2, 3, 4, 5], file.Issues.Select(i => i.LineNumber));
        Assert.Contains("non-hex", file.Issues[2].Message);
        Assert.Contains("not an IP address", file.Issues[3].Message);
    }

    [Fact]
    public void DnsmasqParserIgnoresDhcpv6Leases()
    {
        var text = "duid 00:01:00:01:2c:aa:bb:cc\n1795000000 1234 fd00::5 host 00:01\n";
        var file = DnsmasqLeaseParser.Parse(text, Now);
        Assert.Empty(file.Leases);
        Assert.Empty(file.Issues);
    }

    [Fact]
    public void NewestLeaseWinsPerMac()
    {
        var text = """
            1795000000 aa:bb:cc:00:00:01 127.0.40.1 old *
            1795009999 aa:bb:cc:00:00:01 127.0.40.9 new *
            1795005000 aa:bb:cc:00:00:01 127.0.40.5 middle *
            """;
        var latest = DnsmasqLeaseParser.Parse(text, Now).LatestByMac();
        Assert.Equal("127.0.40.9", latest[MacAddress.Parse("aa:bb:cc:00:00:01")].Address.ToString());
    }

    [Fact]
    public void IscParserReadsLeaseBlocks()
    {
        var text = """
            # The format of this file is documented in the dhcpd.leases(5) manual page.
            authoring-byte-order little-endian;
            server-duid "\000\001\000\001";

            lease 127.0.41.5 {
              starts 6 2026/11/21 10:00:00;
              ends 6 2026/11/21 22:00:00;
              cltt 6 2026/11/21 10:00:00;
              binding state active;
              next binding state free;
              rewind binding state free;
              hardware ethernet 12:44:6a:3b:04:11;
              uid "\001\022Dj;\004\021";
              client-hostname "bmc-a";
            }
            host static-1 { hardware ethernet 12:44:6a:3b:04:99; fixed-address 10.0.0.9; }
            """;
        var file = IscDhcpLeaseParser.Parse(text, Now);

        Assert.Empty(file.Issues);
        var lease = Assert.Single(file.Leases);
        Assert.Equal(MacAddress.Parse("12:44:6a:3b:04:11"), lease.Mac);
        Assert.Equal("127.0.41.5", lease.Address.ToString());
        Assert.Equal("bmc-a", lease.Hostname);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero), lease.Starts);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 22, 0, 0, TimeSpan.Zero), lease.Ends);
        Assert.True(lease.IsActive);
        Assert.Equal(5, lease.LineNumber);
    }

    [Fact]
    public void IscParserPrefersTheNewestActiveLeaseForAMac()
    {
        var text = """
            lease 127.0.41.1 {
              starts 6 2026/11/20 10:00:00; ends 6 2026/11/20 22:00:00;
              binding state free; hardware ethernet 12:44:6a:3b:04:11;
            }
            lease 127.0.41.2 {
              starts 6 2026/11/21 09:00:00; ends never;
              binding state active; hardware ethernet 12:44:6a:3b:04:11;
            }
            lease 127.0.41.3 {
              starts 6 2026/11/21 11:00:00; ends 6 2026/11/21 11:30:00;
              binding state expired; hardware ethernet 12:44:6a:3b:04:11;
            }
            """;
        var file = IscDhcpLeaseParser.Parse(text, Now);
        Assert.Equal(3, file.Leases.Count);
        Assert.Equal("127.0.41.2", file.LatestByMac()[MacAddress.Parse("12:44:6a:3b:04:11")].Address.ToString());
    }

    [Fact]
    public void IscParserReportsBadLeasesWithLineNumbers()
    {
        var text = """
            lease 127.0.41.300 {
              binding state active; hardware ethernet 12:44:6a:3b:04:11;
            }
            lease 127.0.41.4 {
              binding state active;
              hardware ethernet 12:44:6a:3b:04;
            }
            lease 127.0.41.5 {
              binding state active;
            }
            lease 127.0.41.6 {
              starts 6 yesterday;
              binding state active; hardware ethernet 12:44:6a:3b:04:16;
            }
            lease 127.0.41.7 {
              binding state active;
            """;
        var file = IscDhcpLeaseParser.Parse(text, Now);

        Assert.Equal("127.0.41.6", Assert.Single(file.Leases).Address.ToString());
        Assert.Collection(file.Issues,
            i => Assert.Equal((1, true), (i.LineNumber, i.Message.Contains("not an IP address"))),
            i => Assert.Equal((6, true), (i.LineNumber, i.Message.Contains("wrong length"))),
            i => Assert.Equal((8, true), (i.LineNumber, i.Message.Contains("no 'hardware ethernet'"))),
            i => Assert.Equal((12, true), (i.LineNumber, i.Message.Contains("Cannot read the date"))),
            i => Assert.Equal((15, true), (i.LineNumber, i.Message.Contains("never closed"))));
    }
}
