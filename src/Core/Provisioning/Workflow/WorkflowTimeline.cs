using Portal.Core.Persistence;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>Writes the workflow's own steps onto the deployment's timeline.</summary>
public static class WorkflowTimeline
{
    /// <summary>
    /// Appends a step entry. The installer's "done" ends the deployment before the workflow clears
    /// the boot override, so that last step is appended directly: the timeline stays closed to
    /// netboot and installers, not to the run that is tidying up after them.
    /// </summary>
    internal static void Step(AppDbContext db, Deployment deployment, ProvisioningStep step, string message, DateTimeOffset at)
    {
        var percent = Percent(step);
        if (deployment.IsActive) deployment.RecordEvent(DeploymentEventKind.Step, step.Phase(), message, percent, null, at);
        else db.DeploymentEvents.Add(new DeploymentEvent(deployment, DeploymentEventKind.Step, step.Phase(), message, percent, null, at));
    }

    /// <summary>
    /// The one way a run's durations are written, on its timeline rows and on every page: "850 ms",
    /// "12.3 s", "4 min 05 s", "2 h 10 min". Truncated, not rounded, so a row never claims more than happened.
    /// </summary>
    public static string Took(TimeSpan t) =>
        t < TimeSpan.FromSeconds(1) ? $"{Math.Floor(t.TotalMilliseconds):0} ms"
        : t < TimeSpan.FromMinutes(1) ? $"{Math.Floor(t.TotalSeconds * 10) / 10:0.0} s"
        : t < TimeSpan.FromHours(1) ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s"
        : $"{(int)t.TotalHours} h {t.Minutes:00} min";

    /// <summary>Rough share of a run done when a step completes (the installer's own percentages come in between).</summary>
    private static int? Percent(ProvisioningStep step) => step switch
    {
        ProvisioningStep.PowerOff => 5,
        ProvisioningStep.SetPxeOverride => 10,
        ProvisioningStep.PowerOn => 15,
        ProvisioningStep.WaitForScriptFetch => 25,
        ProvisioningStep.WaitForConfigFetch => 35,
        ProvisioningStep.WaitForInstallerDone => 95,
        ProvisioningStep.ClearOverride or ProvisioningStep.Deployed => 100,
        _ => null,
    };
}
