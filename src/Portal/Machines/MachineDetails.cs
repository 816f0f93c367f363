using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Power;
using Portal.Core.Provisioning;
using Portal.Core.Reservations;

namespace Portal.Machines;

/// <summary>Everything the machine detail page shows, read in one place (the page reloads it when the machine changes).</summary>
public sealed record MachineDetails(Machine Machine, IReadOnlyList<PowerOperation> PowerOperations, IReadOnlyList<AuditEvent> History,
    IReadOnlyList<WipeChoice> WipeProfiles, DeploymentEvent? PlatformMismatch = null)
{
    public PowerOperation? ActiveOperation => PowerOperations.FirstOrDefault(o => !o.IsFinished);

    public static async Task<MachineDetails?> LoadAsync(AppDbContext db, long id, Requester who, CancellationToken ct)
    {
        var machine = await db.Machines.AsNoTracking().Include(m => m.Bmc).SingleOrDefaultAsync(m => m.Id == id, ct);
        if (machine is null) return null;
        var operations = await db.PowerOperations.AsNoTracking().Where(o => o.MachineId == id).OrderByDescending(o => o.Id).Take(5).ToListAsync(ct);
        // Discovery names a new machine by UUID or serial (it has no id yet); later events use the id.
        var keys = new[] { id.ToString(), machine.Uuid?.ToString(), machine.Serial }.OfType<string>().ToList();
        var history = db.AuditEvents.AsNoTracking().Where(e => e.TargetType == "machine" && keys.Contains(e.TargetId!));
        // Deployment events name hostnames and carry installer messages: they are for those who may see the
        // deployments themselves (DeploymentAccess) — Operators, whoever holds the machine now, and each user's own.
        if (!who.IsOperator && !machine.IsHeldBy(who.UserId))
            history = history.Where(e => !e.Action.StartsWith("deployment.") || e.ActorId == who.UserId);
        var recent = await history.OrderByDescending(e => e.Id).Take(50).ToListAsync(ct);
        // A deployed (or failed) machine is released through a run that can wipe it first with any profile.
        var wipes = machine.State is MachineState.Deployed or MachineState.Failed
            ? await WipeChoice.ListAsync(db, ct)
            : [];
        return new MachineDetails(machine, operations, recent, wipes, await LastPlatformMismatchAsync(db, id, ct));
    }

    /// <summary>
    /// The warning of the machine's last netboot into an installer, when its firmware booted in another
    /// mode than its BMC reports; null when the last one agreed (or there was none).
    /// </summary>
    private static async Task<DeploymentEvent?> LastPlatformMismatchAsync(AppDbContext db, long machineId, CancellationToken ct)
    {
        var runs = db.Deployments.Where(d => d.MachineId == machineId).Select(d => d.Id);
        var last = await db.DeploymentEvents.AsNoTracking()
            .Where(e => runs.Contains(e.DeploymentId) && (e.Phase == "rendered" || e.Phase == "platform-mismatch"))
            .OrderByDescending(e => e.Id).Select(e => (long?)e.DeploymentId).FirstOrDefaultAsync(ct);
        return last is null ? null : await db.DeploymentEvents.AsNoTracking()
            .Where(e => e.DeploymentId == last && e.Phase == "platform-mismatch").OrderByDescending(e => e.Id).FirstOrDefaultAsync(ct);
    }
}

public sealed record WipeChoice(long Id, string Name)
{
    /// <summary>Any OS profile can wipe: it netboots like an install before the power-off.</summary>
    public static Task<List<WipeChoice>> ListAsync(AppDbContext db, CancellationToken ct) =>
        db.OsProfiles.AsNoTracking().OrderBy(p => p.Name).Select(p => new WipeChoice(p.Id, p.Name)).ToListAsync(ct);
}
