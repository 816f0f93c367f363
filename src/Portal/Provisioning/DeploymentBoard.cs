using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Reservations;

namespace Portal.Provisioning;

/// <summary>The dashboard's three lists: runs in progress (queued ones included), recent failures, and the rest of the recent history.</summary>
public sealed record DeploymentBoard(bool AllUsers, IReadOnlyList<DeploymentRow> Running, IReadOnlyList<DeploymentRow> Failed, IReadOnlyList<DeploymentRow> Ended)
{
    public const int RecentCount = 20;

    /// <summary>Operators and Admins see every deployment; everyone else the ones they asked for or whose machine they hold.</summary>
    public static async Task<DeploymentBoard> LoadAsync(AppDbContext db, Requester who, CancellationToken ct) => new(
        who.IsOperator,
        await DeploymentRows.ListAsync(db, who, q => q.Where(d => d.State == DeploymentState.Active).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id), ct),
        await DeploymentRows.ListAsync(db, who, q => q.Where(d => d.State == DeploymentState.Failed).OrderByDescending(d => d.FinishedAt).ThenByDescending(d => d.Id).Take(RecentCount), ct),
        await DeploymentRows.ListAsync(db, who, q => q.Where(d => d.State == DeploymentState.Finished || d.State == DeploymentState.Cancelled)
            .OrderByDescending(d => d.FinishedAt).ThenByDescending(d => d.Id).Take(RecentCount), ct));
}
