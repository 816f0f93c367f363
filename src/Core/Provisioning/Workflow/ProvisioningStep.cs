namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// The steps of a provisioning run, in order. Stored by name, so inserting a step later does not
/// reinterpret the rows of runs that are in flight.
/// </summary>
public enum ProvisioningStep
{
    /// <summary>Waiting for admission: at most so many runs netboot at once (overall and per BMC vendor).</summary>
    Queued,
    PowerOff,
    SetPxeOverride,
    PowerOn,
    WaitForScriptFetch,
    WaitForConfigFetch,
    WaitForInstallerDone,
    ClearOverride,
    /// <summary>Power the machine on (or restart it) into the new OS, when the profile says so.</summary>
    Restart,
    /// <summary>A release's last action: the machine is switched off before it is offered again.</summary>
    ReleasePowerOff,
    Deployed,
    Released,
    Failed,
    Cancelled,
}

public static class ProvisioningSteps
{
    public static bool IsTerminal(this ProvisioningStep step) =>
        step is ProvisioningStep.Deployed or ProvisioningStep.Released or ProvisioningStep.Failed or ProvisioningStep.Cancelled;

    /// <summary>The run occupies an admission slot: it is past the queue and not ended.</summary>
    public static bool IsAdmitted(this ProvisioningStep step) => step != ProvisioningStep.Queued && !step.IsTerminal();

    /// <summary>Steps that talk to the BMC: retried a few times, because each checks the BMC's state before acting.</summary>
    public static bool IsBmcStep(this ProvisioningStep step) =>
        step is ProvisioningStep.PowerOff or ProvisioningStep.SetPxeOverride or ProvisioningStep.PowerOn or ProvisioningStep.ClearOverride
            or ProvisioningStep.Restart or ProvisioningStep.ReleasePowerOff;

    /// <summary>
    /// The step as people are told it. The installer's "done" ends the deployment at once and the run
    /// notices a moment later (it is woken): in between, what really happens next is clearing the boot
    /// override — not a wait for the installer with a deadline.
    /// </summary>
    public static ProvisioningStep AsSeen(this ProvisioningStep step, DeploymentState state) =>
        state == DeploymentState.Finished && step < ProvisioningStep.ClearOverride ? ProvisioningStep.ClearOverride : step;

    /// <summary>The timeline's phase name for a step ("power-off", "wait-for-script-fetch"...).</summary>
    public static string Phase(this ProvisioningStep step) =>
        string.Concat(step.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static string Label(this ProvisioningStep step) => step switch
    {
        ProvisioningStep.Queued => "Queued",
        ProvisioningStep.PowerOff => "Power off",
        ProvisioningStep.SetPxeOverride => "Set one-time PXE boot",
        ProvisioningStep.PowerOn => "Power on",
        ProvisioningStep.WaitForScriptFetch => "Wait for the iPXE script fetch",
        ProvisioningStep.WaitForConfigFetch => "Wait for the installer config fetch",
        ProvisioningStep.WaitForInstallerDone => "Wait for the installer to finish",
        ProvisioningStep.ClearOverride => "Clear the boot override",
        ProvisioningStep.Restart => "Restart into the installed OS",
        ProvisioningStep.ReleasePowerOff => "Power off for release",
        _ => step.ToString(),
    };
}
