using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Netboot;

/// <summary>Links an unknown MAC/UUID that asked for a boot script to a machine, or undoes that; audited, and live on "sightings".</summary>
internal sealed class SightingLinks(AppDbContext db, TimeProvider clock, ILiveUpdates live)
{
    public async Task<Outcome> LinkAsync(long sightingId, long machineId, Actor actor)
    {
        var sighting = await db.NetbootSightings.FindAsync(sightingId);
        if (sighting is null) return Outcome.NotFound("No such sighting.");
        if (await db.Machines.FindAsync(machineId) is not { } machine) return Outcome.Invalid("Choose a machine to link to.");
        sighting.LinkTo(machine);
        db.AuditEvents.Add(AuditEvent.Record(actor, "sighting.linked", "machine", machine.Id.ToString(),
            $"Netboot identity {sighting.Key} linked to machine {machine.Name}", clock.GetUtcNow()));
        await db.SaveChangesAsync();
        await live.ChangedAsync("sightings");
        return Outcome.Done($"{sighting.Key} now resolves to {machine.Name}.");
    }

    public async Task<Outcome> UnlinkAsync(long sightingId, Actor actor)
    {
        var sighting = await db.NetbootSightings.Include(s => s.Machine).FirstOrDefaultAsync(s => s.Id == sightingId);
        if (sighting is null) return Outcome.NotFound("No such sighting.");
        var machine = sighting.Machine;
        sighting.Unlink();
        db.AuditEvents.Add(AuditEvent.Record(actor, "sighting.unlinked", "machine", machine?.Id.ToString(),
            $"Netboot identity {sighting.Key} no longer linked to {machine?.Name ?? "a machine"}", clock.GetUtcNow()));
        await db.SaveChangesAsync();
        await live.ChangedAsync("sightings");
        return Outcome.Done($"{sighting.Key} unlinked.");
    }
}
