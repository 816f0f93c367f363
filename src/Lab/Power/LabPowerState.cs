namespace Portal.Lab;

/// <summary>Redfish PowerState values a simulated system goes through.</summary>
public enum LabPowerState { Off, On, PoweringOn, PoweringOff }

/// <summary>A system's boot source override (Redfish Boot object).</summary>
/// <param name="Target">BootSourceOverrideTarget: None, Pxe, Hdd, Cd, Usb, BiosSetup, UefiShell.</param>
/// <param name="Enabled">BootSourceOverrideEnabled: Disabled, Once, Continuous.</param>
/// <param name="Mode">BootSourceOverrideMode: Legacy or UEFI.</param>
public sealed record BootOverride(string Target, string Enabled, string Mode)
{
    public static readonly BootOverride Default = new("None", "Disabled", "UEFI");

    public static readonly IReadOnlyList<string> Targets = ["None", "Pxe", "Hdd", "Cd", "Usb", "BiosSetup", "UefiShell"];
    public static readonly IReadOnlyList<string> EnabledValues = ["Disabled", "Once", "Continuous"];
    public static readonly IReadOnlyList<string> Modes = ["Legacy", "UEFI"];

    /// <summary>Where the override sends the next power-on; null when none is in force (the boot order decides).</summary>
    internal string? EffectiveSource => Enabled == "Disabled" || Target == "None" ? null : Target;
}
