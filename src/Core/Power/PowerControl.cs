using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Quartz;

namespace Portal.Core.Power;

/// <summary>
/// Accepts a power request from a page or the API: checks who may (the holder, Operators,
/// Admins) and what the BMC allows, records a pending <see cref="PowerOperation"/> and hands it
/// to Quartz, so the request survives a restart and the caller does not wait on the BMC.
/// </summary>
public sealed class PowerControl(AppDbContext db, ISchedulerFactory schedulers, TimeProvider clock, ILiveUpdates live)
{
    public sealed record Requested(Outcome Outcome, long? OperationId);

    public async Task<Requested> RequestAsync(long machineId, PowerAction action, Requester who, CancellationToken ct = default)
    {
        var machine = await db.Machines.AsNoTracking().SingleOrDefaultAsync(m => m.Id == machineId, ct);
        if (machine is null) return new(Outcome.NotFound(), null);
        if (!who.MayControl(machine))
            return new(Outcome.Forbidden(machine.IsHeld
                ? $"{machine.Name} is held by {machine.ReservedByName}; only they or an Operator can control its power."
                : $"Reserve {machine.Name} first: only its holder or an Operator can control its power."), null);
        if (!PowerActions.AllowedFor(machine.ResetTypes).Contains(action))
            return new(new Outcome(OutcomeStatus.Conflict, $"{machine.Name}'s BMC does not offer {action} (it allows: {string.Join(", ", machine.ResetTypes ?? [])})."), null);
        var busy = await db.PowerOperations.AnyAsync(o => o.MachineId == machineId &&
            (o.Status == PowerOperationStatus.Pending || o.Status == PowerOperationStatus.Running), ct);
        if (busy)
            return new(new Outcome(OutcomeStatus.Conflict, $"{machine.Name} already has a power action in progress; wait for it to finish."), null);

        var now = clock.GetUtcNow();
        var operation = db.PowerOperations.Add(PowerOperation.Request(machineId, action, who.UserId, who.Name, now)).Entity;
        db.AuditEvents.Add(AuditEvent.Record(who.Actor, "machine.power-requested", "machine", machineId.ToString(), $"{machine.Name}: {action} requested", now));
        await db.SaveChangesAsync(ct);

        await PowerActionJob.ScheduleAsync(await schedulers.GetScheduler(ct), operation.Id, ct);
        await live.ChangedAsync($"machine:{machineId}", ct);
        return new(Outcome.Done($"{PowerActions.Label(action)} requested for {machine.Name}."), operation.Id);
    }
}
