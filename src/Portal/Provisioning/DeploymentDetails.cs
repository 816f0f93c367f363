using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;

namespace Portal.Provisioning;

/// <summary>
/// One timeline entry with the time since the entry before it and since the run began, and — on an
/// entry that reported a percentage — how far the whole run was then (<see cref="DeploymentProgress"/>).
/// </summary>
public sealed record TimelineEntry(DeploymentEvent Event, TimeSpan SincePrevious, TimeSpan SinceStart, int? RunPercent = null);

/// <summary>Everything the timeline page shows, read in one place for the page and the API.</summary>
public sealed record DeploymentDetails(
    Deployment Deployment, DeploymentWorkflow? Workflow, string RequestedBy, IReadOnlyList<TimelineEntry> Timeline, int Percent,
    bool ShowsServedFiles, bool MayAct)
{
    public bool IsActive => Deployment.IsActive;

    /// <summary>The step as people are told it (<see cref="ProvisioningSteps.AsSeen"/>).</summary>
    public ProvisioningStep? Step => Workflow?.Step.AsSeen(Deployment.State);

    /// <summary>When the current step gives up: only while the deployment still waits on its machine.</summary>
    public DateTimeOffset? Deadline => Deployment.IsActive && Workflow is { IsFinished: false } w ? w.Deadline : null;
    public bool MayCancel => MayAct && Deployment.IsActive;
    /// <summary>The same rule the retry itself checks; a newer run on the machine is refused there with its reason.</summary>
    public bool MayRetry => MayAct && Deployment.State == DeploymentState.Failed && Deployment.Machine!.State == Core.Machines.MachineState.Failed;

    /// <summary>
    /// The run's one duration: from the request to the installer's "done" (or the failure or cancel), to
    /// now while it is active. The "Deployed … installed in" entry, the board and the API say the same.
    /// </summary>
    public TimeSpan Elapsed(DateTimeOffset now) => (Deployment.FinishedAt ?? (Deployment.IsActive ? now : Timeline.LastOrDefault()?.Event.At ?? now)) - Deployment.CreatedAt;

    /// <summary>Null when there is no such deployment or <paramref name="who"/> may not see it.</summary>
    public static async Task<DeploymentDetails?> LoadAsync(AppDbContext db, long id, Requester who, CancellationToken ct)
    {
        var deployment = await db.Deployments.AsNoTracking().VisibleTo(who).Include(d => d.Machine).Include(d => d.Profile)
            .SingleOrDefaultAsync(d => d.Id == id, ct);
        if (deployment is null) return null;
        // The step before the events: a run moving on between the two reads then shows events at least
        // as new as its step, never a step whose events ("power-on" for WaitForScriptFetch) are missing.
        var workflow = await db.DeploymentWorkflows.AsNoTracking().SingleOrDefaultAsync(w => w.DeploymentId == id, ct);
        var events = await db.DeploymentEvents.AsNoTracking().Where(e => e.DeploymentId == id).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        var requestedBy = await db.Users.Where(u => u.Id == deployment.RequestedById).Select(u => u.DisplayName != "" ? u.DisplayName : u.UserName).SingleOrDefaultAsync(ct);

        var timeline = new List<TimelineEntry>(events.Count);
        var previous = deployment.CreatedAt;
        var progress = new DeploymentProgress.Running();
        foreach (var e in events)
        {
            timeline.Add(new TimelineEntry(e, Positive(e.At - previous), Positive(e.At - deployment.CreatedAt), progress.After(e)));
            previous = e.At;
        }
        return new DeploymentDetails(deployment, workflow, requestedBy ?? "(deleted user)", timeline, progress.Of(deployment.State),
            who.MaySeeServedFiles(deployment), who.MayControl(deployment.Machine!));
    }

    private static TimeSpan Positive(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;
}
