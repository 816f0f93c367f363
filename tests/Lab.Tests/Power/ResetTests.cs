using System.Net;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Power;

public sealed class ResetTests
{
    private const string Range = "127.0.22.1";

    private static string ResetUri(LabSystem s) => $"{s.RedfishPath}/Actions/ComputerSystem.Reset";

    [Fact]
    public async Task ResetOnAndForceOffChangePowerState()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("lenovo").Systems[0];
        var client = lab.Client(system.Bmc);

        using (var on = await client.PostJsonAsync(ResetUri(system), new { ResetType = "On" })) Assert.Equal(HttpStatusCode.NoContent, on.StatusCode);
        Assert.Equal("On", (await client.GetJsonAsync(system.RedfishPath))["PowerState"]!.GetValue<string>());

        using (var off = await client.PostJsonAsync(ResetUri(system), new { ResetType = "ForceOff" })) Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        Assert.Equal("Off", (await client.GetJsonAsync(system.RedfishPath))["PowerState"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResetWithUnknownTypeReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        using var response = await lab.Client(system.Bmc).PostJsonAsync(ResetUri(system), new { ResetType = "Explode" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.ActionParameterValueNotInList", await response.RedfishMessageIdAsync());
        Assert.Equal(LabPowerState.Off, system.PowerState);
    }

    [Fact]
    public async Task ResetTypeNotAllowedByTheProfileReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("blade").Systems[0]; // blade BMCs offer no PowerCycle
        using var response = await lab.Client(system.Bmc).PostJsonAsync(ResetUri(system), new { ResetType = "PowerCycle" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task ResetWithoutTypeReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        using var response = await lab.Client(system.Bmc).PostJsonAsync(ResetUri(system), new { });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.ActionParameterMissing", await response.RedfishMessageIdAsync());
    }

    [Fact]
    public async Task MalformedJsonBodyReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        using var content = new StringContent("{\"ResetType\": ", System.Text.Encoding.UTF8, "application/json");
        using var response = await lab.Client(system.Bmc).PostAsync(ResetUri(system), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.MalformedJSON", await response.RedfishMessageIdAsync());
    }

    [Fact]
    public async Task BootOverrideOnceIsUsedAtTheNextPowerOnOnly()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        var client = lab.Client(system.Bmc);
        using (var patch = await client.PatchJsonAsync(system.RedfishPath, new { Boot = new { BootSourceOverrideTarget = "Pxe", BootSourceOverrideEnabled = "Once" } }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }
        var before = await client.GetJsonAsync(system.RedfishPath);
        Assert.Equal("Once", before["Boot"]!["BootSourceOverrideEnabled"]!.GetValue<string>());
        Assert.Equal("Pxe", before["Boot"]!["BootSourceOverrideTarget"]!.GetValue<string>());

        (await client.PostJsonAsync(ResetUri(system), new { ResetType = "On" })).Dispose();
        Assert.Equal("Pxe", system.LastBootSource);
        var after = await client.GetJsonAsync(system.RedfishPath);
        Assert.Equal("Disabled", after["Boot"]!["BootSourceOverrideEnabled"]!.GetValue<string>());

        (await client.PostJsonAsync(ResetUri(system), new { ResetType = "ForceRestart" })).Dispose();
        Assert.Equal("Hdd", system.LastBootSource);
        Assert.Equal(2, system.PowerOnCount);
    }

    [Fact]
    public async Task ContinuousOverrideStaysInForce()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("lenovo").Systems[0];
        var client = lab.Client(system.Bmc);
        (await client.PatchJsonAsync(system.RedfishPath, new { Boot = new { BootSourceOverrideTarget = "Pxe", BootSourceOverrideEnabled = "Continuous" } })).Dispose();
        (await client.PostJsonAsync(ResetUri(system), new { ResetType = "On" })).Dispose();
        (await client.PostJsonAsync(ResetUri(system), new { ResetType = "PowerCycle" })).Dispose();
        Assert.Equal("Pxe", system.LastBootSource);
        Assert.Equal("Continuous", system.Boot.Enabled);
    }

    [Fact]
    public async Task PatchBootWithUnknownTargetReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        using var response = await lab.Client(system.Bmc).PatchJsonAsync(system.RedfishPath, new { Boot = new { BootSourceOverrideTarget = "Floppy" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.PropertyValueNotInList", await response.RedfishMessageIdAsync());
        Assert.Equal(BootOverride.Default, system.Boot);
    }

    [Fact]
    public async Task PatchOfAReadOnlyPropertyReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var system = lab.Bmc("dell").Systems[0];
        using var response = await lab.Client(system.Bmc).PatchJsonAsync(system.RedfishPath, new { PowerState = "On" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.PropertyNotWritable", await response.RedfishMessageIdAsync());
        Assert.Equal(LabPowerState.Off, system.PowerState);
    }

    [Fact]
    public async Task SlowProfileChangesPowerStateOnlyAfterItsDelay()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { SlowResetDelay = TimeSpan.FromSeconds(4) });
        var system = lab.Bmc("gigabyte").Systems[0];
        var client = lab.Client(system.Bmc);
        (await client.PostJsonAsync(ResetUri(system), new { ResetType = "On" })).Dispose();
        Assert.Equal("PoweringOn", (await client.GetJsonAsync(system.RedfishPath))["PowerState"]!.GetValue<string>());
        Assert.True(await HttpExtensions.EventuallyAsync(() => system.PowerState == LabPowerState.On, TimeSpan.FromSeconds(15)));
        Assert.Equal("On", (await client.GetJsonAsync(system.RedfishPath))["PowerState"]!.GetValue<string>());
    }

    [Fact]
    public async Task EachBladeHasItsOwnPower()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Bmc("blade");
        (await lab.Client(bmc).PostJsonAsync(ResetUri(bmc.Systems[2]), new { ResetType = "On" })).Dispose();
        Assert.Equal([LabPowerState.Off, LabPowerState.Off, LabPowerState.On, LabPowerState.Off], bmc.Systems.Select(s => s.PowerState));
    }
}
