using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Core.Discovery.Identity;

/// <summary>
/// An admin's answer to an <see cref="IdentityConflict"/>, from the facts the BMC last reported.
/// Admins only: the UI action checks the role before calling. Either answer is audited and removes
/// the conflict; the next inventory then finds the machine by its UUID or its place on the BMC.
/// </summary>
public sealed class IdentityConflictResolution(AppDbContext db, ILiveUpdates live, TimeProvider clock)
{
    /// <summary>"Same machine": the known machine moves to the reporting BMC and takes the facts it reports (UUID included).</summary>
    public async Task<Outcome> SameMachineAsync(long conflictId, Actor actor, CancellationToken ct)
    {
        if (await LoadAsync(conflictId, ct) is not { } conflict) return Outcome.NotFound("No such conflict: it may have been resolved already.");
        if (await OccupantAsync(conflict, ct) is { } occupant)
            return new Outcome(OutcomeStatus.Conflict, $"Machine {occupant.Name} (#{occupant.Id}) is already at {conflict.RedfishId} on BMC {conflict.Bmc!.Mac}.");
        var machine = conflict.Machine!;
        var from = machine.Bmc?.Mac ?? machine.BmcId.ToString();
        var now = clock.GetUtcNow();
        var changes = machine.ApplyFacts(conflict.Facts, conflict.BmcId, now);
        db.AuditEvents.Add(AuditEvent.Record(actor, "machine.identity-confirmed", "machine", machine.Id.ToString(),
            $"Same machine: {machine.Name} (serial {conflict.Serial}) moved from BMC {from} to BMC {conflict.Bmc!.Mac}. Conflict was: {conflict.Summary}"
            + (changes.Count > 0 ? " Changes: " + string.Join(", ", changes) : ""), now));
        return await ResolvedAsync(conflict, $"Moved machine {machine.Name} to BMC {conflict.Bmc.Mac}.", ct);
    }

    /// <summary>"Different machines": the reported system is added as a new machine; the known one stays where it is.</summary>
    public async Task<Outcome> DifferentMachinesAsync(long conflictId, Actor actor, CancellationToken ct)
    {
        if (await LoadAsync(conflictId, ct) is not { } conflict) return Outcome.NotFound("No such conflict: it may have been resolved already.");
        if (await OccupantAsync(conflict, ct) is { } occupant)
            return new Outcome(OutcomeStatus.Conflict, $"Machine {occupant.Name} (#{occupant.Id}) is already at {conflict.RedfishId} on BMC {conflict.Bmc!.Mac}.");
        var now = clock.GetUtcNow();
        var facts = conflict.Facts;
        // One transaction: the machine, its audit line and the conflict's removal go together.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var added = db.Machines.Add(Machine.Discovered(conflict.BmcId, facts.RedfishId, now)).Entity;
        added.ApplyFacts(facts, conflict.BmcId, now);
        await db.SaveChangesAsync(ct); // the new machine's id, for the audit line
        db.AuditEvents.Add(AuditEvent.Record(actor, "machine.identity-separated", "machine", added.Id.ToString(),
            $"Different machines: added {added.Name} (#{added.Id}, serial {facts.Serial}, UUID {facts.Uuid?.ToString() ?? "(none)"}) on BMC {conflict.Bmc!.Mac}; "
            + $"machine {conflict.Machine!.Name} (#{conflict.MachineId}) stays where it is. Conflict was: {conflict.Summary}", now));
        return await ResolvedAsync(conflict, $"Added machine {added.Name} on BMC {conflict.Bmc.Mac}.", ct, tx);
    }

    private Task<IdentityConflict?> LoadAsync(long id, CancellationToken ct) =>
        db.IdentityConflicts.Include(c => c.Bmc).Include(c => c.Machine).ThenInclude(m => m!.Bmc).SingleOrDefaultAsync(c => c.Id == id, ct);

    /// <summary>A machine discovery has put at that place since (it would be a duplicate).</summary>
    private Task<Machine?> OccupantAsync(IdentityConflict c, CancellationToken ct) =>
        db.Machines.SingleOrDefaultAsync(m => m.BmcId == c.BmcId && m.RedfishId == c.RedfishId && m.Id != c.MachineId, ct);

    private async Task<Outcome> ResolvedAsync(IdentityConflict conflict, string message, CancellationToken ct,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? tx = null)
    {
        db.IdentityConflicts.Remove(conflict);
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        await live.ChangedAsync("bmcs", ct);
        await live.ChangedAsync("machines", ct);
        return Outcome.Done(message);
    }
}
