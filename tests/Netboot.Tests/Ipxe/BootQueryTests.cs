using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Tests.Ipxe;

public sealed class BootQueryTests
{
    [Fact]
    public void WhatTheBootstrapSendsIsParsedAndNormalized()
    {
        var result = BootQuery.Parse("?mac=12-44-6A-3B-04-11&uuid=11111111-2222-3333-4444-555555555555&serial=SN-1&buildarch=x86_64&platform=efi");
        Assert.True(result.IsValid, result.Error);
        Assert.Equal(new BootQuery("12:44:6a:3b:04:11", Guid.Parse("11111111-2222-3333-4444-555555555555"), "SN-1", "x86_64", "efi"), result.Query);
        Assert.Equal(BootMode.Uefi, result.Query!.FirmwareBootMode);
    }

    [Fact]
    public void ColonSeparatedMacAndUrlEncodedSerialAreAccepted()
    {
        var result = BootQuery.Parse("mac=12%3A44%3A6a%3A3b%3A04%3A11&uuid=&serial=To%20be%20filled&buildarch=i386&platform=pcbios");
        Assert.True(result.IsValid, result.Error);
        Assert.Equal("12:44:6a:3b:04:11", result.Query!.Mac);
        Assert.Null(result.Query.Uuid);
        Assert.Equal("To be filled", result.Query.Serial);
        Assert.Equal(BootMode.Bios, result.Query.FirmwareBootMode);
    }

    [Fact]
    public void UnsetFirmwareUuidIsTreatedAsAbsent()
    {
        var result = BootQuery.Parse("mac=12-44-6a-3b-04-11&uuid=ffffffff-ffff-ffff-ffff-ffffffffffff");
        Assert.Null(result.Query!.Uuid);
        Assert.False(BootQuery.Parse("uuid=00000000-0000-0000-0000-000000000000").IsValid);
    }

    [Theory]
    [InlineData("mac=12-44-6a-3b-04", "mac '12-44-6a-3b-04' is not a MAC address")]
    [InlineData("mac=12:44-6a:3b:04:11", "is not a MAC address")]
    [InlineData("mac=zz-44-6a-3b-04-11", "is not a MAC address")]
    [InlineData("mac=00-00-00-00-00-00", "is not a MAC address")]
    [InlineData("mac=%12Dj%3B%04%11", "is not a MAC address")]
    [InlineData("uuid=not-a-uuid", "uuid 'not-a-uuid' is not a UUID")]
    [InlineData("uuid={11111111-2222-3333-4444-555555555555}", "is not a UUID")]
    [InlineData("mac=12-44-6a-3b-04-11&buildarch=sparc", "buildarch 'sparc' is not one of")]
    [InlineData("mac=12-44-6a-3b-04-11&platform=linux", "platform 'linux' is not one of")]
    [InlineData("mac=12-44-6a-3b-04-11&serial=a%0Ab", "serial contains control")]
    [InlineData("mac=12-44-6a-3b-04-11&hostname=x", "unknown parameter 'hostname'")]
    [InlineData("mac=12-44-6a-3b-04-11&mac=12-44-6a-3b-04-12", "parameter 'mac' is given 2 times")]
    [InlineData("serial=SN-1", "neither a mac nor a uuid")]
    [InlineData("", "neither a mac nor a uuid")]
    public void GarbageIsRejectedWithASpecificError(string query, string expected)
    {
        var result = BootQuery.Parse(query);
        Assert.False(result.IsValid);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void OversizedQueryIsRejectedBeforeParsing()
    {
        var result = BootQuery.Parse("mac=12-44-6a-3b-04-11&serial=" + new string('x', 600));
        Assert.Contains("longer than 512", result.Error);
    }

    [Fact]
    public void OversizedSerialIsRejected()
    {
        var result = BootQuery.Parse("mac=12-44-6a-3b-04-11&serial=" + new string('x', 65));
        Assert.Contains("serial is longer than 64", result.Error);
    }

    [Fact]
    public void ErrorsQuoteValuesShortAndPrintable()
    {
        var result = BootQuery.Parse("mac=" + Uri.EscapeDataString("\u0001" + new string('a', 100)));
        Assert.False(result.IsValid);
        Assert.DoesNotContain('\u0001', result.Error);
        Assert.True(result.Error!.Length < 150, result.Error);
    }
}
