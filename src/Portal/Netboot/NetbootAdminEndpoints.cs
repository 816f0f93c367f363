using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Account;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Shell;

namespace Portal.Netboot;

internal static class NetbootAdminEndpoints
{
    /// <summary>Form posts from the sightings page: link an unknown MAC/UUID to a machine, or undo that.</summary>
    public static void MapNetbootAdminEndpoints(this WebApplication app)
    {
        var sightings = app.MapGroup("/admin/sightings").RequireAuthorization(IdentitySetup.AdminPolicy)
            .RequireAntiforgery().ExcludeFromDescription();

        sightings.MapPost("/{id:long}/link", async Task<Results<RedirectHttpResult, NotFound>> (
            long id, HttpContext http, AppDbContext db, CurrentActor actor, TimeProvider clock, ILiveUpdates live) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var sighting = await db.NetbootSightings.FindAsync([id], http.RequestAborted);
            if (sighting is null) return TypedResults.NotFound();
            if (!long.TryParse(form["machineId"], out var machineId) || await db.Machines.FindAsync([machineId], http.RequestAborted) is not { } machine)
                return TypedResults.Redirect("/admin/sightings?error=machine");
            sighting.LinkTo(machine);
            db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "sighting.linked", "machine", machine.Id.ToString(),
                $"Netboot identity {sighting.Key} linked to machine {machine.Name}", clock.GetUtcNow()));
            await db.SaveChangesAsync(http.RequestAborted);
            await live.ChangedAsync("sightings", http.RequestAborted);
            return TypedResults.Redirect($"/admin/sightings?linked={id}");
        });

        sightings.MapPost("/{id:long}/unlink", async Task<Results<RedirectHttpResult, NotFound>> (
            long id, HttpContext http, AppDbContext db, CurrentActor actor, TimeProvider clock, ILiveUpdates live) =>
        {
            var sighting = await db.NetbootSightings.Include(s => s.Machine).FirstOrDefaultAsync(s => s.Id == id, http.RequestAborted);
            if (sighting is null) return TypedResults.NotFound();
            var machine = sighting.Machine;
            sighting.Unlink();
            db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "sighting.unlinked", "machine", machine?.Id.ToString(),
                $"Netboot identity {sighting.Key} no longer linked to {machine?.Name ?? "a machine"}", clock.GetUtcNow()));
            await db.SaveChangesAsync(http.RequestAborted);
            await live.ChangedAsync("sightings", http.RequestAborted);
            return TypedResults.Redirect("/admin/sightings");
        });
    }
}
