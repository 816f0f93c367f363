using Portal.Core.Power;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Tests.Power;

public sealed class PowerEventsTests
{
    private static EventRecord Record(string? messageId, string? origin, string? eventType = null) =>
        new(eventType, messageId, origin is null ? null : new ODataLink(origin));

    [Theory]
    [InlineData("ResourceEvent.1.3.0.ResourcePoweredOn", "/redfish/v1/Systems/1", true)]
    [InlineData("ResourceEvent.1.3.0.ResourcePoweringOff", "/redfish/v1/Systems/1", true)]
    [InlineData("ResourceEvent.1.3.0.ResourceChanged", "/redfish/v1/Systems/1", true)]
    [InlineData("ResourceEvent.1.3.0.ResourceChanged", "/redfish/v1/Managers/1", false)]
    [InlineData("iLOEvents.2.1.ServerPoweredOff", "/redfish/v1/Systems/1", true)]
    [InlineData("OpenBMC.0.1.BIOSPOSTCode", "/redfish/v1/Systems/system", false)]
    [InlineData("iLOEvents.2.1.ServerResetDetected", "/redfish/v1/Systems/1", true)]
    [InlineData("IDRAC.2.9.SYS1000", "/redfish/v1/Systems/System.Embedded.1", true)]
    [InlineData("IDRAC.2.9.SYS1001", "/redfish/v1/Systems/System.Embedded.1", true)]
    [InlineData("IDRAC.2.8.SYS1003", "/redfish/v1/Systems/System.Embedded.1", true)]
    [InlineData("IDRAC.SYS1001", "/redfish/v1/Systems/System.Embedded.1", true)]
    [InlineData("IDRAC.2.9.TMP0120", "/redfish/v1/Systems/System.Embedded.1", false)]
    [InlineData("IDRAC.2.9.RAC0703", "/redfish/v1/Systems/System.Embedded.1", false)]
    [InlineData("Other.1.0.SYS1000", "/redfish/v1/Systems/1", false)]
    [InlineData("Base.1.8.Success", null, false)]
    public void PowerAndBootMessagesAreRecognisedByWhatTheirKeyNames(string messageId, string? origin, bool relevant) =>
        Assert.Equal(relevant, PowerEvents.IsPowerOrBoot(Record(messageId, origin)));

    [Fact]
    public void AnEventWithoutMessageIdCountsWhenItIsAStatusChangeOfASystem()
    {
        Assert.True(PowerEvents.IsPowerOrBoot(Record(null, "/redfish/v1/Systems/1", "StatusChange")));
        Assert.False(PowerEvents.IsPowerOrBoot(Record(null, "/redfish/v1/Chassis/1", "StatusChange")));
        Assert.False(PowerEvents.IsPowerOrBoot(Record(null, "/redfish/v1/Systems/1", "Alert")));
    }

    [Fact]
    public void OnlyTheNamedSystemsAreReadAgainUnlessARelevantRecordNamesNone()
    {
        var two = new RedfishEvent([
            Record("ResourceEvent.1.3.0.ResourcePoweredOn", "/redfish/v1/Systems/Blade1/"),
            Record("ResourceEvent.1.3.0.ResourcePoweredOn", "/redfish/v1/Systems/Blade1"),
            Record("ResourceEvent.1.3.0.ResourcePoweredOff", "/redfish/v1/Systems/Blade3"),
            Record("Base.1.8.Success", "/redfish/v1/Systems/Blade4"),
        ]);
        Assert.Equal(["/redfish/v1/Systems/Blade1", "/redfish/v1/Systems/Blade3"], PowerEvents.SystemsToRefresh(two));

        var chassis = new RedfishEvent([Record("ResourceEvent.1.3.0.ResourcePoweredOff", "/redfish/v1/Chassis/Enclosure")]);
        Assert.Equal([null], PowerEvents.SystemsToRefresh(chassis));
        Assert.Empty(PowerEvents.SystemsToRefresh(new RedfishEvent(null)));
    }
}
