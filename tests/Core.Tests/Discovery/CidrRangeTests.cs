using Portal.Core.Discovery;

namespace Portal.Core.Tests.Discovery;

public sealed class CidrRangeTests
{
    [Fact]
    public void ExpandSkipsNetworkAndBroadcastAddresses()
    {
        Assert.True(CidrRange.TryParse("10.1.2.0/30", out var range, out var error), error);
        Assert.True(range.TryExpand(100, out var addresses, out _));
        Assert.Equal(["10.1.2.1", "10.1.2.2"], addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void ExpandOfSlash24GivesTwoHundredFiftyFourHosts()
    {
        Assert.True(CidrRange.TryParse("127.0.40.0/24", out var range, out _));
        Assert.True(range.TryExpand(1000, out var addresses, out _));
        Assert.Equal(254, addresses.Count);
        Assert.Equal("127.0.40.1", addresses[0].ToString());
        Assert.Equal("127.0.40.254", addresses[^1].ToString());
    }

    [Fact]
    public void SingleAddressIsASlash32()
    {
        Assert.True(CidrRange.TryParse("127.0.0.5", out var range, out _));
        Assert.True(range.TryExpand(1, out var addresses, out _));
        Assert.Equal("127.0.0.5", Assert.Single(addresses).ToString());
    }

    [Fact]
    public void Slash31IncludesBothAddresses()
    {
        Assert.True(CidrRange.TryParse("10.0.0.0/31", out var range, out _));
        Assert.Equal(2, range.HostCount);
    }

    [Fact]
    public void ExpandRefusesRangeLargerThanTheLimitWithoutEnumerating()
    {
        Assert.True(CidrRange.TryParse("10.0.0.0/8", out var range, out _));
        Assert.False(range.TryExpand(CidrRange.DefaultMaxAddresses, out _, out var error));
        Assert.Contains("16,777,214 addresses; the limit is 65,536", error);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "invalid prefix length")]
    [InlineData("10.0.0.0/x", "invalid prefix length")]
    [InlineData("10.0.0/24", "not an IPv4 address")]
    [InlineData("fe80::/64", "not an IPv4 address")]
    [InlineData("", "empty")]
    [InlineData("10.0.0.5/24", "host bits set; did you mean 10.0.0.0/24?")]
    public void ParseRejectsBadRangesWithAClearMessage(string text, string expected)
    {
        Assert.False(CidrRange.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }
}
