using System.Net;
using System.Text.Json.Nodes;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Redfish;

/// <summary>The lab BMCs' boot menu: BootOptions, a BootOrder they honour at power-on, and firmware without either.</summary>
public sealed class BootOrderTests
{
    private const string Range = "127.0.36.1";

    [Fact]
    public async Task ASystemShowsItsBootOptionsAndAnOrderThatStartsWithTheNetwork()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        var client = lab.Client(system.Bmc);

        var boot = (await client.GetJsonAsync(system.RedfishPath))["Boot"]!;
        Assert.Equal(["Boot0001", "Boot0002", "Boot0003"], boot["BootOrder"]!.AsArray().Select(r => r!.GetValue<string>()));
        var options = await client.GetJsonAsync(boot["BootOptions"]!["@odata.id"]!.GetValue<string>());
        Assert.Equal(3, options["Members@odata.count"]!.GetValue<int>());
        var disk = await client.GetJsonAsync($"{system.RedfishPath}/BootOptions/Boot0003");
        Assert.Equal("Boot0003", disk["BootOptionReference"]!.GetValue<string>());
        Assert.StartsWith("PciRoot(0x0)/Pci(0x4,0x0)/HD(1,GPT,", disk["UefiDevicePath"]!.GetValue<string>());
    }

    [Fact]
    public async Task APowerOnFollowsTheBootOrderUnlessAOneTimeOverrideSaysOtherwise()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        var client = lab.Client(system.Bmc);

        using (var patch = await client.PatchJsonAsync(system.RedfishPath, new { Boot = new { BootOrder = new[] { "Boot0003", "Boot0001", "Boot0002" } } }))
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        Assert.Equal(["Boot0003", "Boot0001", "Boot0002"], system.BootOrder);
        system.Reset("On");
        Assert.Equal("Hdd", system.LastBootSource);

        system.Reset("ForceOff");
        system.SetBootOverride(system.Boot with { Target = "Pxe", Enabled = "Once" });
        system.Reset("On");
        Assert.Equal("Pxe", system.LastBootSource); // an override still wins over the order
    }

    [Theory]
    [InlineData("[\"Boot0003\", \"Boot0009\", \"Boot0001\"]", "Base.1.16.PropertyValueNotInList")]
    [InlineData("[\"Boot0003\", \"Boot0001\"]", "Base.1.16.PropertyValueFormatError")]
    [InlineData("[\"Boot0003\", \"Boot0003\", \"Boot0001\"]", "Base.1.16.PropertyValueFormatError")]
    [InlineData("\"Boot0003\"", "Base.1.16.PropertyValueTypeError")]
    public async Task ABootOrderThatDoesNotNameEveryEntryOnceIsRefusedAndChangesNothing(string order, string messageId)
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];

        using var response = await lab.Client(system.Bmc).PatchJsonAsync(system.RedfishPath, JsonNode.Parse($"{{\"Boot\": {{\"BootOrder\": {order}}}}}")!);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(messageId, await response.RedfishMessageIdAsync());
        Assert.Equal(["Boot0001", "Boot0002", "Boot0003"], system.BootOrder);
    }

    [Fact]
    public async Task OlderFirmwareHasNoBootOrderOrBootOptionsAndRefusesOne()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("supermicro").Systems[0];
        var client = lab.Client(system.Bmc);

        var boot = (await client.GetJsonAsync(system.RedfishPath))["Boot"]!.AsObject();
        Assert.False(boot.ContainsKey("BootOrder"));
        Assert.False(boot.ContainsKey("BootOptions"));
        using var response = await client.PatchJsonAsync(system.RedfishPath, new { Boot = new { BootOrder = new[] { "Boot0003", "Boot0001", "Boot0002" } } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.PropertyUnknown", await response.RedfishMessageIdAsync());
    }
}
