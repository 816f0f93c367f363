namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// The steps of a provisioning run, in order. Stored by name, so inserting a step later does not
/// reinterpret the rows of runs that are in flight.
/// </summary>
public enum ProvisioningStep
{
    PowerOff,
    SetPxeOverride,
    PowerOn,
    WaitForScriptFetch,
    WaitForConfigFetch,
    WaitForInstallerDone,
    ClearOverride,
    Deployed,
    Failed,
    Cancelled,
}

public static class ProvisioningSteps
{
    public static bool IsTerminal(this ProvisioningStep step) =>
        step is ProvisioningStep.Deployed or ProvisioningStep.Failed or ProvisioningStep.Cancelled;

    /// <summary>Steps that talk to the BMC: retried a few times, because each checks the BMC's state before acting.</summary>
    public static bool IsBmcStep(this ProvisioningStep step) =>
        step is ProvisioningStep.PowerOff or ProvisioningStep.SetPxeOverride or ProvisioningStep.PowerOn or ProvisioningStep.ClearOverride;

    /// <summary>The timeline's phase name for a step ("power-off", "wait-for-script-fetch"...).</summary>
    public static string Phase(this ProvisioningStep step) =>
        string.Concat(step.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static string Label(this ProvisioningStep step) => step switch
    {
        ProvisioningStep.PowerOff => "Power off",
        ProvisioningStep.SetPxeOverride => "Set one-time PXE boot",
        ProvisioningStep.PowerOn => "Power on",
        ProvisioningStep.WaitForScriptFetch => "Wait for the iPXE script fetch",
        ProvisioningStep.WaitForConfigFetch => "Wait for the installer config fetch",
        ProvisioningStep.WaitForInstallerDone => "Wait for the installer to finish",
        ProvisioningStep.ClearOverride => "Clear the boot override",
        _ => step.ToString(),
    };
}
