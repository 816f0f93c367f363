using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;

namespace Portal.Provisioning;

/// <summary>A deployment as the dashboard and the API list it: who, what, where it stands.</summary>
public sealed record DeploymentRow(
    long Id, long MachineId, string MachineName, string Hostname, long? ProfileId, string? ProfileName, string RequestedBy,
    DeploymentState State, ProvisioningStep? Step, int? Attempt, DateTimeOffset? Deadline, string? LastError, string? FailureReason,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int Percent, DeploymentKind Kind = DeploymentKind.Install, string? QueueReason = null);

internal static class DeploymentRows
{
    private sealed record WorkflowBits(ProvisioningStep Step, int Attempt, DateTimeOffset? Deadline, string? LastError, string? QueueReason);

    /// <summary>
    /// The deployments <paramref name="who"/> may see, narrowed, ordered and limited by <paramref name="shape"/>,
    /// with their workflow step and progress. One statement: the workflow and percentages are correlated subqueries.
    /// </summary>
    public static async Task<List<DeploymentRow>> ListAsync(AppDbContext db, Requester who,
        Func<IQueryable<Deployment>, IQueryable<Deployment>> shape, CancellationToken ct)
    {
        var rows = await shape(db.Deployments.AsNoTracking().VisibleTo(who)).Select(d => new
        {
            d.Id, d.MachineId, MachineName = d.Machine!.Name, d.Hostname, ProfileId = (long?)d.ProfileId,
            ProfileName = d.Profile == null ? null : d.Profile.Name,
            RequestedBy = db.Users.Where(u => u.Id == d.RequestedById).Select(u => u.DisplayName != "" ? u.DisplayName : u.UserName).FirstOrDefault(),
            d.State, d.Kind, d.FailureReason, d.CreatedAt, d.FinishedAt,
            Workflow = db.DeploymentWorkflows.Where(w => w.DeploymentId == d.Id).Select(w => new WorkflowBits(w.Step, w.Attempt, w.Deadline, w.LastError, w.QueueReason)).FirstOrDefault(),
            StepPercent = d.Events.Where(e => e.Kind == DeploymentEventKind.Step).Max(e => e.Percent),
            InstallerPercent = d.Events.Where(e => e.Kind == DeploymentEventKind.Installer).Max(e => e.Percent),
        }).ToListAsync(ct);
        return rows.Select(r => new DeploymentRow(r.Id, r.MachineId, r.MachineName, r.Hostname, r.ProfileId, r.ProfileName, r.RequestedBy ?? "(deleted user)",
            r.State, r.Workflow?.Step.AsSeen(r.State), r.Workflow?.Attempt, r.State == DeploymentState.Active ? r.Workflow?.Deadline : null, r.Workflow?.LastError, r.FailureReason, r.CreatedAt, r.FinishedAt,
            DeploymentProgress.Percent(r.State, r.StepPercent, r.InstallerPercent), r.Kind, r.Workflow?.QueueReason)).ToList();
    }
}
