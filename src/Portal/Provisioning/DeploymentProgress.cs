using Portal.Core.Provisioning;

namespace Portal.Provisioning;

/// <summary>
/// How far a run is, for the progress bar. The workflow's step entries carry its own estimate of
/// the share done; the installer's percentages cover what is left after the last of those. Only a
/// finished run shows 100.
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

    /// <summary>The same from a timeline: the highest step estimate and the installer's latest percentage.</summary>
    public static int Percent(DeploymentState state, IReadOnlyList<DeploymentEvent> events) => Percent(state,
        events.Where(e => e.Kind == DeploymentEventKind.Step && e.Percent is not null).Max(e => e.Percent),
        events.LastOrDefault(e => e.Kind == DeploymentEventKind.Installer && e.Percent is not null)?.Percent);
}
