using Microsoft.EntityFrameworkCore;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Provisioning;

namespace Portal.Dashboard;

/// <summary>What the home page shows at a glance: the fleet by state, deployments in flight, what I
/// hold and when it lapses, and the BMCs that need someone (for those who can act on them).</summary>
public sealed record FleetSummary(
    IReadOnlyDictionary<MachineState, int> MachinesByState,
    int DeploymentsRunning,
    int DeploymentsQueued,
    int DeploymentsFailedToday,
    IReadOnlyList<HeldMachine> MyMachines,
    IReadOnlyList<BmcNeedingAttention>? Bmcs,
    int BmcsNeedingAttention)
{
    public const int ListSize = 8;

    public int MachineCount => MachinesByState.Values.Sum();

    public static async Task<FleetSummary> LoadAsync(AppDbContext db, Requester who, DateTimeOffset now, CancellationToken ct = default)
    {
        var byState = await db.Machines.GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

        // The same visibility as the deployments dashboard: operators see every run, others their own.
        var visible = db.Deployments.AsNoTracking().VisibleTo(who);
        var active = visible.Where(d => d.State == DeploymentState.Active);
        var queued = await active.CountAsync(d => db.DeploymentWorkflows.Any(w => w.DeploymentId == d.Id && w.Step == ProvisioningStep.Queued), ct);
        var running = await active.CountAsync(ct) - queued;
        var startOfDay = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var failedToday = await visible.CountAsync(d => d.State == DeploymentState.Failed && d.FinishedAt >= startOfDay, ct);

        var mine = await db.Machines.AsNoTracking().Where(m => m.ReservedById == who.UserId)
            .OrderBy(m => m.ReservedUntil).ThenBy(m => m.Name).Take(ListSize)
            .Select(m => new HeldMachine(m.Id, m.Name, m.State, m.ReservedUntil)).ToListAsync(ct);

        List<BmcNeedingAttention>? bmcs = null;
        var bmcCount = 0;
        if (who.IsOperator)
        {
            var troubled = db.Bmcs.AsNoTracking().Where(b => b.Status != BmcStatus.Reachable);
            bmcCount = await troubled.CountAsync(ct);
            bmcs = await troubled.OrderByDescending(b => b.LastSeenAt).ThenBy(b => b.Id).Take(ListSize)
                .Select(b => new BmcNeedingAttention(b.Id, b.Mac, b.Address, b.Status, b.LastError)).ToListAsync(ct);
        }
        return new(byState, running, queued, failedToday, mine, bmcs, bmcCount);
    }
}

public sealed record HeldMachine(long Id, string Name, MachineState State, DateTimeOffset? ReservedUntil);

public sealed record BmcNeedingAttention(long Id, string Mac, string Address, BmcStatus Status, string? LastError);
