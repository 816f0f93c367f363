using Portal.Core.Provisioning.Workflow;

namespace Portal.Provisioning;

/// <summary>Durations on the provisioning pages, written exactly as the run writes them on its timeline.</summary>
internal static class Durations
{
    public static string Format(TimeSpan t) => WorkflowTimeline.Took(t);
}
