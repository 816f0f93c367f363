namespace Portal.Lab.Events;

/// <summary>
/// The event message a BMC sends when a system's PowerState changes: the DMTF ResourceEvent
/// registry (ResourcePoweredOn/Off, ResourcePoweringOn/Off), or on profiles with
/// <see cref="VendorProfile.NumberedPowerMessages"/> iDRAC's numbered messages, so a Portal's
/// handling of both forms is exercised. iDRAC says "turning on/off" for the change as a whole,
/// so the transitional states get the same message as the state they lead to.
/// </summary>
internal static class PowerMessages
{
    public static (string MessageId, string Message) For(VendorProfile profile, LabPowerState state, string systemPath) =>
        profile.NumberedPowerMessages
            ? state is LabPowerState.On or LabPowerState.PoweringOn
                ? ("IDRAC.2.9.SYS1000", "System is turning on.")
                : ("IDRAC.2.9.SYS1001", "System is turning off.")
            : state switch
            {
                LabPowerState.On => ("ResourceEvent.1.3.0.ResourcePoweredOn", $"The resource `{systemPath}` has powered on."),
                LabPowerState.Off => ("ResourceEvent.1.3.0.ResourcePoweredOff", $"The resource `{systemPath}` has powered off."),
                LabPowerState.PoweringOn => ("ResourceEvent.1.3.0.ResourcePoweringOn", $"The resource `{systemPath}` is powering on."),
                _ => ("ResourceEvent.1.3.0.ResourcePoweringOff", $"The resource `{systemPath}` is powering off."),
            };
}
