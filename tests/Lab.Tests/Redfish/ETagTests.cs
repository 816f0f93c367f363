using System.Net;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Redfish;

public sealed class ETagTests
{
    private const string Range = "127.0.23.1";
    private static readonly object PxeOnce = new { Boot = new { BootSourceOverrideTarget = "Pxe", BootSourceOverrideEnabled = "Once" } };

    [Fact]
    public async Task GetReturnsAnETagThatChangesWithTheResource()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        var client = lab.Client(system.Bmc);
        using var first = await client.GetAsync(system.RedfishPath);
        using var again = await client.GetAsync(system.RedfishPath);
        Assert.NotNull(first.Headers.ETag);
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
        system.Reset("On");
        using var changed = await client.GetAsync(system.RedfishPath);
        Assert.NotEqual(first.Headers.ETag, changed.Headers.ETag);
    }

    [Fact]
    public async Task PatchWithoutIfMatchReturns428OnTheQuirkProfile()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("hpe").Systems[0];
        using var response = await lab.Client(system.Bmc).PatchJsonAsync(system.RedfishPath, PxeOnce);
        Assert.Equal((HttpStatusCode)428, response.StatusCode);
        Assert.Equal("Base.1.16.PreconditionRequired", await response.RedfishMessageIdAsync());
        Assert.Equal(BootOverride.Default, system.Boot);
    }

    [Fact]
    public async Task PatchWithTheCurrentETagSucceedsOnTheQuirkProfile()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("hpe").Systems[0];
        var client = lab.Client(system.Bmc);
        using var get = await client.GetAsync(system.RedfishPath);
        using var response = await client.PatchJsonAsync(system.RedfishPath, PxeOnce, get.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new BootOverride("Pxe", "Once", "UEFI"), system.Boot);
        Assert.NotEqual(get.Headers.ETag, response.Headers.ETag);
    }

    [Fact]
    public async Task PatchWithAStaleETagReturns412()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("hpe").Systems[0];
        var client = lab.Client(system.Bmc);
        using var get = await client.GetAsync(system.RedfishPath);
        system.Reset("On"); // someone else changed the system meanwhile
        using var response = await client.PatchJsonAsync(system.RedfishPath, PxeOnce, get.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("Base.1.16.PreconditionFailed", await response.RedfishMessageIdAsync());
    }

    [Fact]
    public async Task PatchWithoutIfMatchSucceedsOnOtherProfiles()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("lenovo").Systems[0];
        using var response = await lab.Client(system.Bmc).PatchJsonAsync(system.RedfishPath, PxeOnce);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Pxe", system.Boot.Target);
    }

    [Fact]
    public async Task StaleETagIsRejectedOnEveryProfile()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("lenovo").Systems[0];
        using var response = await lab.Client(system.Bmc).PatchJsonAsync(system.RedfishPath, PxeOnce, "\"0000000000000000\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }
}
