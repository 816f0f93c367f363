using Portal.Core.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Redfish;

// hpe = the If-Match quirk profile, blade = a short ResetType list.
public sealed class ActionLab() : LabFixture(new LabOptions { FirstAddress = "127.0.46.1", BmcCount = 2, Seed = 46, Profiles = ["hpe", "blade"] });

public sealed class RedfishActionTests(ActionLab fixture) : IClassFixture<ActionLab>
{
    private readonly LabFleet _lab = fixture.Lab;
    private readonly RedfishClientFactory _factory = LabClients.Factory();

    [Fact]
    public async Task ResetWithUnsupportedTypeIsRefusedBeforeAnythingIsSent()
    {
        var bmc = _lab.Bmcs[1];
        Assert.DoesNotContain(ResetTypes.PowerCycle, bmc.Profile.ResetTypes);
        var labSystem = bmc.Systems[0];
        await using var client = await _factory.ConnectAsync(bmc);
        var system = await client.GetAsync<Portal.Core.Redfish.Models.ComputerSystem>(labSystem.RedfishPath);
        bmc.ResetStats();

        var e = await Assert.ThrowsAsync<RedfishException>(() => client.ResetAsync(system, ResetTypes.PowerCycle));

        Assert.Equal(RedfishErrorKind.ActionRejected, e.Kind);
        Assert.Contains("'PowerCycle' is not supported", e.Message);
        Assert.Contains("On, ForceOff", e.Message);
        Assert.Equal(0, bmc.Stats.Requests);
    }

    [Fact]
    public async Task ResetOnPowersTheSystemOnAndPowerStateFollows()
    {
        var bmc = _lab.Bmcs[1];
        var labSystem = bmc.Systems[1];
        await using var client = await _factory.ConnectAsync(bmc);

        await client.ResetAsync(labSystem.RedfishPath, ResetTypes.ForceOff);
        Assert.Equal(PowerState.Off, await client.GetPowerStateAsync(labSystem.RedfishPath));
        await client.ResetAsync(labSystem.RedfishPath, ResetTypes.On);
        Assert.Equal(PowerState.On, await client.GetPowerStateAsync(labSystem.RedfishPath));
        Assert.Equal(LabPowerState.On, labSystem.PowerState);
    }

    [Fact]
    public async Task BootOverrideIsPatchedWithIfMatchOnTheQuirkProfile()
    {
        var bmc = _lab.Bmcs[0];
        Assert.True(bmc.Profile.RequiresIfMatch);
        var labSystem = bmc.Systems[0];
        await using var client = await _factory.ConnectAsync(bmc);

        await client.SetBootOverrideAsync(labSystem.RedfishPath, BootTargets.Pxe, BootOverrideEnabled.Once, BootMode.UEFI);

        Assert.Equal(new BootOverride("Pxe", "Once", "UEFI"), labSystem.Boot);
    }

    [Fact]
    public async Task BootOverrideWithAnUnsupportedTargetIsRefused()
    {
        var bmc = _lab.Bmcs[0];
        await using var client = await _factory.ConnectAsync(bmc);
        var e = await Assert.ThrowsAsync<RedfishException>(() =>
            client.SetBootOverrideAsync(bmc.Systems[0].RedfishPath, "Floppy", BootOverrideEnabled.Once));
        Assert.Equal(RedfishErrorKind.ActionRejected, e.Kind);
        Assert.Contains("'Floppy' is not supported", e.Message);
    }
}
