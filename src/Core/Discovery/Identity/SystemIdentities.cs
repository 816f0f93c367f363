using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;

namespace Portal.Core.Discovery.Identity;

/// <summary>
/// Which known machine each system a BMC reports is, and the upsert that follows. In order:
/// <list type="number">
/// <item>the same SMBIOS UUID: that machine, wherever it was (a machine really moved to this BMC is re-bound);</item>
/// <item>the same serial, when it is the only machine with it, the serial is not a placeholder and one of the
/// two has no UUID to tell them apart: that machine (the serial is the best evidence there is);</item>
/// <item>the same place on this BMC (Redfish id): that machine (a mainboard swap changes the UUID, not the place);</item>
/// <item>a serial that matches a machine on another BMC but is not trusted by rule 2 (the UUIDs differ, several
/// machines share it, or it is a placeholder and a UUID is missing): nothing changes, and an
/// <see cref="IdentityConflict"/> on this BMC asks an admin;</item>
/// <item>otherwise a new machine.</item>
/// </list>
/// A placeholder serial with UUIDs on both sides is no evidence at all, so it matches nothing. Machines on this
/// BMC are never conflicts: one BMC reporting two places at once reports two systems (blade chassis often give
/// every blade the enclosure's serial).
/// </summary>
public sealed class SystemIdentities
{
    private readonly List<Machine> _known;
    private readonly Dictionary<string, IdentityConflict> _open;

    private SystemIdentities(List<Machine> known, List<IdentityConflict> open)
    {
        _known = known;
        _open = open.ToDictionary(c => c.RedfishId, StringComparer.Ordinal);
    }

    /// <summary>
    /// Every stored machine one of these systems could be, in one query instead of up to three per
    /// system (same UUID, same serial, same place on this BMC), and the BMC's open conflicts.
    /// </summary>
    public static async Task<SystemIdentities> LoadAsync(AppDbContext db, Bmc bmc, IReadOnlyList<MachineFacts> systems, CancellationToken ct)
    {
        var uuids = systems.Where(f => f.Uuid is not null).Select(f => f.Uuid!.Value).ToList();
        var serials = systems.Select(f => f.Serial).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList();
        var redfishIds = systems.Select(f => f.RedfishId).ToList();
        var bmcId = bmc.Id;
        var known = await db.Machines.Include(m => m.Bmc)
            .Where(m => (m.Uuid != null && uuids.Contains(m.Uuid.Value)) || (m.Serial != null && serials.Contains(m.Serial))
                        || (m.BmcId == bmcId && redfishIds.Contains(m.RedfishId)))
            .OrderBy(m => m.Id)
            .ToListAsync(ct);
        var open = bmcId == 0 ? [] : await db.IdentityConflicts.Where(c => c.BmcId == bmcId).ToListAsync(ct);
        return new SystemIdentities(known, open);
    }

    /// <summary>Adds, updates and re-binds machines and keeps this BMC's conflicts current; the caller saves. Returns the systems left to an admin.</summary>
    public IReadOnlyList<IdentityConflict> Apply(AppDbContext db, Bmc bmc, IReadOnlyList<MachineFacts> systems, Actor actor, DateTimeOffset now)
    {
        var claimed = new HashSet<Machine>(ReferenceEqualityComparer.Instance);
        var raised = new List<IdentityConflict>();
        foreach (var facts in systems)
        {
            var (machine, conflictWith, why) = Decide(bmc, facts, claimed);
            if (machine is null && conflictWith is not null)
            {
                raised.Add(Raise(db, bmc, facts, conflictWith, why!, now));
                continue;
            }
            var isNew = machine is null;
            machine ??= db.Machines.Add(Machine.Discovered(bmc.Id, facts.RedfishId, now)).Entity;
            claimed.Add(machine);
            var changes = machine.ApplyFacts(facts, bmc.Id, now);
            if (isNew)
                db.AuditEvents.Add(AuditEvent.Record(actor, "machine.discovered", "machine", facts.Uuid?.ToString() ?? facts.Serial,
                    $"{facts.Manufacturer} {facts.Model} (serial {facts.Serial}) found on BMC {bmc.Mac}", now));
            else if (changes.Count > 0)
                db.AuditEvents.Add(AuditEvent.Record(actor, "machine.changed", "machine", machine.Id.ToString(), "Re-inventory: " + string.Join(", ", changes), now));
        }
        // A conflict this inventory did not raise again no longer holds (the system is gone, or now matches by UUID or place).
        foreach (var stale in _open.Values.Where(c => !raised.Contains(c))) db.IdentityConflicts.Remove(stale);
        return raised;
    }

    private (Machine? Machine, Machine? ConflictWith, string? Why) Decide(Bmc bmc, MachineFacts facts, HashSet<Machine> claimed)
    {
        if (facts.Uuid is { } uuid && _known.SingleOrDefault(m => m.Uuid == uuid) is { } byUuid && !claimed.Contains(byUuid))
            return (byUuid, null, null);

        var sameSerial = facts.Serial is { Length: > 0 } serial ? _known.Where(m => m.Serial == serial && !claimed.Contains(m)).ToList() : [];
        var generic = SerialNumbers.IsGeneric(facts.Serial);
        if (!generic && sameSerial is [var only] && (facts.Uuid is null || only.Uuid is null))
            return (only, null, null);

        var byPlace = bmc.Id != 0 ? _known.SingleOrDefault(m => m.BmcId == bmc.Id && m.RedfishId == facts.RedfishId) : null;
        if (byPlace is not null && !claimed.Contains(byPlace)) return (byPlace, null, null);

        var elsewhere = sameSerial.Where(m => m.BmcId != bmc.Id).ToList();
        if (generic)
        {
            // A placeholder tells nothing; only when a UUID is missing on one side is there nothing else to go by.
            var unsure = elsewhere.FirstOrDefault(m => facts.Uuid is null || m.Uuid is null);
            return unsure is null ? (null, null, null) : (null, unsure, "the serial is a placeholder and a UUID is missing, so nothing tells them apart");
        }
        if (elsewhere.Count == 0) return (null, null, null);
        var why = sameSerial.Count > 1 ? $"{sameSerial.Count} machines have this serial" : "the UUIDs differ";
        return (null, elsewhere[0], why);
    }

    private IdentityConflict Raise(AppDbContext db, Bmc bmc, MachineFacts facts, Machine known, string why, DateTimeOffset now)
    {
        var summary = $"BMC {bmc.Mac} ({bmc.Address}) reports a system with serial {Show(facts.Serial)} and UUID {Show(facts.Uuid)}; "
                      + $"machine {known.Name} (#{known.Id}, on BMC {known.Bmc?.Mac ?? known.BmcId.ToString()}) has serial {Show(known.Serial)} and UUID {Show(known.Uuid)}: "
                      + $"{why}. Discovery changed neither.";
        if (_open.TryGetValue(facts.RedfishId, out var existing))
        {
            existing.Seen(facts, known, summary, now);
            return existing;
        }
        var conflict = IdentityConflict.Detected(bmc.Id, facts, known, summary, now);
        db.IdentityConflicts.Add(conflict);
        _open[facts.RedfishId] = conflict;
        return conflict;
    }

    private static string Show(object? value) => value?.ToString() is { Length: > 0 } s ? s : "(none)";
}
