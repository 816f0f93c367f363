using Portal.Core.Bmcs;

namespace Portal.Core.Tests.Bmcs;

public sealed class MacAddressTests
{
    [Theory]
    [InlineData("aa:bb:cc:dd:ee:ff")]
    [InlineData("AA-BB-CC-DD-EE-FF")]
    [InlineData("aabb.ccdd.eeff")]
    [InlineData("AABBCCDDEEFF")]
    [InlineData("  aa:BB:cc:DD:ee:FF ")]
    public void ParseAcceptsCommonSpellingsAndNormalisesThem(string text)
    {
        Assert.True(MacAddress.TryParse(text, out var mac, out var error), error);
        Assert.Equal("aa:bb:cc:dd:ee:ff", mac.ToString());
    }

    [Fact]
    public void DifferentSpellingsOfOneMacAreEqual() =>
        Assert.Equal(MacAddress.Parse("12-44-6A-3B-04-11"), MacAddress.Parse("1244.6a3b.0411"));

    [Theory]
    [InlineData("aa:bb:cc:dd:ee:fg", "non-hex character 'g' at position 17")]
    [InlineData("zabbccddeeff", "non-hex character 'z' at position 1")]
    public void ParseRejectsMacWithNonHexCharacter(string text, string expected)
    {
        Assert.False(MacAddress.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("aa:bb:cc:dd:ee")]
    [InlineData("aabbccddeeff00")]
    [InlineData("aa:bb:cc:dd:ee:ff:00")]
    [InlineData("aabb.ccdd.ee")]
    public void ParseRejectsMacOfWrongLength(string text)
    {
        Assert.False(MacAddress.TryParse(text, out _, out var error));
        Assert.Contains("wrong length", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void ParseRejectsEmptyMac(string? text)
    {
        Assert.False(MacAddress.TryParse(text, out _, out var error));
        Assert.Equal("MAC address is empty.", error);
    }

    [Fact]
    public void ParseRejectsAllZeroMacAsPlaceholder()
    {
        Assert.False(MacAddress.TryParse("00:00:00:00:00:00", out _, out var error));
        Assert.Contains("placeholder", error);
    }

    [Fact]
    public void ParseRejectsBroadcastMac()
    {
        Assert.False(MacAddress.TryParse("FF-FF-FF-FF-FF-FF", out _, out var error));
        Assert.Contains("broadcast", error);
    }

    [Fact]
    public void ParseRejectsMixedSeparators()
    {
        Assert.False(MacAddress.TryParse("aa:bb-cc:dd:ee:ff", out _, out var error));
        Assert.Contains("mixes separators", error);
    }

    [Fact]
    public void ParseRejectsSeparatorInWrongPlace()
    {
        Assert.False(MacAddress.TryParse("aab:b:cc:dd:ee:ff", out _, out var error));
        Assert.Contains("position 3", error);
    }

    [Fact]
    public void ParseThrowsFormatExceptionWithTheReason() =>
        Assert.Contains("non-hex", Assert.Throws<FormatException>(() => MacAddress.Parse("aa:bb:cc:dd:ee:xx")).Message);

    [Fact]
    public void JsonRoundTripUsesCanonicalForm()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(MacAddress.Parse("AA-BB-CC-DD-EE-01"));
        Assert.Equal("\"aa:bb:cc:dd:ee:01\"", json);
        Assert.Equal(MacAddress.Parse("aabbccddee01"), System.Text.Json.JsonSerializer.Deserialize<MacAddress>(json));
    }
}
