using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;

namespace Portal.Core.Reservations;

/// <summary>
/// Reserve, extend, release and expire — the same code for the pages, the API and the expiry job.
/// Exactly-one-wins comes from the machine's revision (<see cref="Machine.Revision"/>): a save that finds a row changed since it was
/// read fails as a whole, and the request looks again (and then usually finds the machine taken).
/// </summary>
public sealed class Reservations(AppDbContext db, IOptions<ReservationOptions> options, TimeProvider clock, ILiveUpdates live)
{
    private const int Attempts = 5;
    public const int MaxMachinesPerRequest = 100;

    public ReservationOptions Options => options.Value;

    /// <summary>All or nothing: either every machine is now the requester's, or none changed.</summary>
    public async Task<Outcome> ReserveAsync(IReadOnlyCollection<long> machineIds, int? hours, Requester who, CancellationToken ct = default)
    {
        var ids = machineIds.Distinct().ToList();
        if (ids.Count == 0) return Outcome.Invalid("Pick at least one machine.");
        if (ids.Count > MaxMachinesPerRequest) return Outcome.Invalid($"At most {MaxMachinesPerRequest} machines per reservation.");
        if (DurationProblem(hours) is { } problem) return Outcome.Invalid(problem);
        var duration = hours is { } h ? TimeSpan.FromHours(h) : Options.Default;

        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var now = clock.GetUtcNow();
            var machines = await db.Machines.Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(ct);
            if (machines.Count != ids.Count)
                return Outcome.NotFound($"No machine with id {string.Join(", ", ids.Except(machines.Select(m => m.Id)))}.");

            var conflicts = new List<MachineConflict>();
            foreach (var machine in machines)
            {
                try { machine.Reserve(who.UserId, who.Name, now + duration, now); }
                catch (MachineStateException e) { conflicts.Add(new MachineConflict(machine.Id, machine.Name, e.Reason)); }
            }
            if (conflicts.Count > 0)
                return new Outcome(OutcomeStatus.Conflict,
                    (machines.Count > 1 ? "Nothing was reserved: " : "Not reserved: ") + string.Join("; ", conflicts.Select(c => $"{c.Name} — {c.Reason}")) + ".",
                    conflicts);

            foreach (var machine in machines)
                db.AuditEvents.Add(AuditEvent.Record(who.Actor, "machine.reserved", "machine", machine.Id.ToString(),
                    $"{machine.Name} reserved until {now + duration:yyyy-MM-dd HH:mm} UTC", now));
            if (!await TrySaveAsync(ct)) continue;
            await NotifyAsync(ids, ct);
            return Outcome.Done(machines.Count == 1
                ? $"Reserved {machines[0].Name} until {now + duration:yyyy-MM-dd HH:mm} UTC."
                : $"Reserved {machines.Count} machines until {now + duration:yyyy-MM-dd HH:mm} UTC.");
        }
        return new Outcome(OutcomeStatus.Conflict, "The machines kept changing while reserving them; please try again.");
    }

    /// <summary>Pushes the end out by <paramref name="hours"/> (from now if already lapsed), never beyond the maximum from now.</summary>
    public Task<Outcome> ExtendAsync(long machineId, int? hours, Requester who, CancellationToken ct = default)
    {
        if (DurationProblem(hours) is { } problem) return Task.FromResult(Outcome.Invalid(problem));
        var duration = hours is { } h ? TimeSpan.FromHours(h) : Options.Default;
        return ChangeAsync(machineId, who, "machine.extended", ct, (machine, now) =>
        {
            var from = machine.ReservedUntil > now ? machine.ReservedUntil.Value : now;
            var until = from + duration > now + Options.Max ? now + Options.Max : from + duration;
            if (until <= machine.ReservedUntil)
                throw new MachineStateException(machine, $"the reservation already ends at the maximum of {Options.MaxHours} hours from now");
            // Operators extend on the holder's behalf; the rule itself checks who holds it.
            machine.Extend(who.IsOperator ? machine.ReservedById ?? who.UserId : who.UserId, until, now);
            return $"{machine.Name} extended until {until:yyyy-MM-dd HH:mm} UTC";
        });
    }

    public Task<Outcome> ReleaseAsync(long machineId, Requester who, CancellationToken ct = default) =>
        ChangeAsync(machineId, who, "machine.released", ct, (machine, now) =>
        {
            var holder = machine.ReservedByName;
            machine.Release(now);
            return holder == who.Name ? $"{machine.Name} released" : $"{machine.Name} released (was held by {holder})";
        });

    public Task<Outcome> EnterMaintenanceAsync(long machineId, string? reason, Requester who, CancellationToken ct = default) =>
        who.IsOperator
            ? ChangeAsync(machineId, who, "machine.maintenance-on", ct, (machine, now) =>
            {
                machine.EnterMaintenance(reason, now);
                return $"{machine.Name} in maintenance: {machine.MaintenanceReason}";
            }, requireHolder: false)
            : Task.FromResult(Outcome.Forbidden("Only Operators can put machines into maintenance."));

    public Task<Outcome> LeaveMaintenanceAsync(long machineId, Requester who, CancellationToken ct = default) =>
        who.IsOperator
            ? ChangeAsync(machineId, who, "machine.maintenance-off", ct, (machine, now) =>
            {
                machine.LeaveMaintenance(now);
                return $"{machine.Name} back in the catalogue";
            }, requireHolder: false)
            : Task.FromResult(Outcome.Forbidden("Only Operators can take machines out of maintenance."));

    public Task<Outcome> SetTagsAsync(long machineId, IEnumerable<string> tags, Requester who, CancellationToken ct = default) =>
        who.IsOperator
            ? ChangeAsync(machineId, who, "machine.tagged", ct, (machine, _) =>
            {
                machine.SetTags(tags);
                return $"{machine.Name} tags: {(machine.Tags.Count == 0 ? "none" : string.Join(", ", machine.Tags))}";
            }, requireHolder: false)
            : Task.FromResult(Outcome.Forbidden("Only Operators can change tags."));

    /// <summary>The expiry job: releases every lapsed reservation; returns how many.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var released = new List<long>();
        var lapsed = await db.Machines.Where(m => m.ReservedById != null && m.ReservedUntil <= now).Select(m => m.Id).ToListAsync(ct);
        foreach (var id in lapsed)
        {
            // One machine at a time: a race with its holder (who extends or releases) affects only that one.
            db.ChangeTracker.Clear();
            var machine = await db.Machines.SingleOrDefaultAsync(m => m.Id == id, ct);
            var holder = machine?.ReservedByName;
            if (machine is null || !machine.Expire(now)) continue;
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "machine.expired", "machine", id.ToString(),
                $"{machine.Name}: reservation of {holder} ended, released", now));
            if (await TrySaveAsync(ct)) released.Add(id);
        }
        if (released.Count > 0) await NotifyAsync(released, ct);
        return released.Count;
    }

    /// <summary>Machines whose reservation lapsed while they were deployed (or failed): each needs a release run.</summary>
    public async Task<List<long>> LapsedInstalledAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return await db.Machines.AsNoTracking()
            .Where(m => m.ReservedById != null && m.ReservedUntil <= now && (m.State == MachineState.Deployed || m.State == MachineState.Failed))
            .Select(m => m.Id).ToListAsync(ct);
    }

    private string? DurationProblem(int? hours) =>
        hours is { } h && (h < 1 || h > Options.MaxHours) ? $"A reservation lasts between 1 and {Options.MaxHours} hours." : null;

    private async Task<Outcome> ChangeAsync(long machineId, Requester who, string action, CancellationToken ct,
        Func<Machine, DateTimeOffset, string> change, bool requireHolder = true)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            db.ChangeTracker.Clear();
            var now = clock.GetUtcNow();
            var machine = await db.Machines.SingleOrDefaultAsync(m => m.Id == machineId, ct);
            if (machine is null) return Outcome.NotFound();
            if (requireHolder && !who.MayControl(machine))
                return Outcome.Forbidden(machine.IsHeld
                    ? $"{machine.Name} is held by {machine.ReservedByName}; only they or an Operator can do that."
                    : $"{machine.Name} is not reserved by you.");
            string summary;
            try { summary = change(machine, now); }
            catch (MachineStateException e) { return new Outcome(OutcomeStatus.Conflict, e.Message, [new(machine.Id, machine.Name, e.Reason)]); }
            db.AuditEvents.Add(AuditEvent.Record(who.Actor, action, "machine", machine.Id.ToString(), summary, now));
            if (!await TrySaveAsync(ct)) continue;
            await NotifyAsync([machineId], ct);
            return Outcome.Done(summary + ".");
        }
        return new Outcome(OutcomeStatus.Conflict, "The machine kept changing; please try again.");
    }

    /// <summary>False when another writer got there first (its revision changed, or a deadlock between two multi-machine requests).</summary>
    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException) { return false; }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }) { return false; }
    }

    private async Task NotifyAsync(IEnumerable<long> ids, CancellationToken ct)
    {
        foreach (var id in ids) await live.ChangedAsync($"machine:{id}", ct);
        await live.ChangedAsync("machines", ct);
    }
}
