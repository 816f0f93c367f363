using Portal.Core.Provisioning;

namespace Portal.Provisioning;

/// <summary>
/// How far a run is, for the progress bar. The workflow's step entries carry its own estimate of
/// the share done; the installer's percentages cover what is left after the last of those. Both are
/// taken at their highest so far, so progress never goes back. Only a finished run shows 100.
/// </summary>
internal static class DeploymentProgress
{
    public static int Percent(DeploymentState state, int? stepPercent, int? installerPercent)
    {
        if (state == DeploymentState.Finished) return 100;
        double done = Math.Clamp(stepPercent ?? 0, 0, 100);
        if (installerPercent is { } p) done = Math.Max(done, done + (100 - done) * Math.Clamp(p, 0, 100) / 100.0);
        return (int)Math.Min(99, Math.Floor(done));
    }

    /// <summary>
    /// The same along a timeline, entry by entry, never going back: an installer that reports 50 then
    /// 25, or a workflow step (95) written after the installer's "done" (100), does not move the run
    /// backwards. The installer's own numbers stay on their events.
    /// </summary>
    public sealed class Running
    {
        private int? stepPercent;
        private int? installerPercent;
        private int shown;

        /// <summary>The run's progress after <paramref name="e"/>, when it reported a percentage; null otherwise.</summary>
        public int? After(DeploymentEvent e)
        {
            if (e.Percent is not { } p) return null;
            if (e.Kind == DeploymentEventKind.Step) stepPercent = Math.Max(stepPercent ?? 0, p);
            else if (e.Kind == DeploymentEventKind.Installer) installerPercent = Math.Max(installerPercent ?? 0, p);
            var now = e is { Kind: DeploymentEventKind.Installer, Phase: "done" } ? 100 : Percent(DeploymentState.Active, stepPercent, installerPercent);
            shown = Math.Max(shown, now);
            return shown;
        }

        /// <summary>Where the whole run is: 100 once finished, else the highest seen (below 100).</summary>
        public int Of(DeploymentState state) => state == DeploymentState.Finished ? 100 : Math.Min(99, shown);
    }
}
