using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Catalogue;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Machines;

/// <summary>The htmx fragments the live topics re-fetch: a catalogue row, the detail body, "my machines".</summary>
internal static class MachineFragments
{
    public static void MapMachineFragments(this WebApplication app)
    {
        var fragments = app.MapGroup("/fragments").RequireAuthorization().ExcludeFromDescription();

        fragments.MapGet("/machines/{id:long}/row", async Task<Results<RazorComponentResult<MachineRow>, NotFound>> (long id, HttpContext http, AppDbContext db) =>
        {
            var row = await db.Machines.AsNoTracking().Where(m => m.Id == id)
                .Select(m => new CatalogueRow(m.Id, m.Name, m.Manufacturer, m.Model, m.Architecture, m.CpuModel, m.CpuSockets, m.CpuCores,
                    m.CpuThreads, m.MemoryBytes, m.GpuCount, m.GpuModels, m.DiskTotalBytes, m.DiskKinds, m.NicMaxSpeedMbps, m.Tags,
                    m.PowerState, m.State, m.ReservedById, m.ReservedByName, m.ReservedUntil))
                .SingleOrDefaultAsync(http.RequestAborted);
            if (row is null) return TypedResults.NotFound();
            // A ticked row stays ticked while it can still be picked.
            var picked = http.Request.Query["pick"].Contains(id.ToString());
            return new RazorComponentResult<MachineRow>(new { Row = row, Picked = picked });
        });

        fragments.MapGet("/machines/{id:long}", async Task<Results<RazorComponentResult<MachineDetailBody>, NotFound>> (
            long id, HttpContext http, AppDbContext db, IAntiforgery antiforgery, IOptions<ReservationOptions> options) =>
        {
            var detail = await MachineDetails.LoadAsync(db, id, http.RequestAborted);
            if (detail is null) return TypedResults.NotFound();
            return new RazorComponentResult<MachineDetailBody>(new
            {
                Detail = detail, Who = http.ToRequester(), Token = antiforgery.GetAndStoreTokens(http).RequestToken,
                OfferedHours = options.Value.OfferedHours, DefaultHours = options.Value.DefaultHours,
            });
        });

        fragments.MapGet("/my-machines", async Task<RazorComponentResult<MyMachinesList>> (HttpContext http, AppDbContext db, IAntiforgery antiforgery) =>
            new RazorComponentResult<MyMachinesList>(new
            {
                Machines = await MyMachinesList.LoadAsync(db, http.ToRequester().UserId, http.RequestAborted),
                Token = antiforgery.GetAndStoreTokens(http).RequestToken,
            }));
    }
}
