using Microsoft.EntityFrameworkCore;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Identity;
using Portal.Core.Persistence;

namespace Portal.Discovery;

/// <summary>
/// A BMC and how many machines it manages, as the BMC list and the API show it, with the systems it
/// reports that match a known machine only by serial (for an admin to resolve on the BMC list).
/// </summary>
internal sealed record BmcRow(Bmc Bmc, int Machines, IReadOnlyList<IdentityConflict> Conflicts);

internal static class BmcQueries
{
    public static async Task<List<BmcRow>> BmcRowsAsync(this AppDbContext db, CancellationToken ct = default)
    {
        // BMCs first: whatever inventory a BMC row shows was committed with its machines (one transaction) before the counts are read.
        var bmcs = await db.Bmcs.AsNoTracking().OrderBy(b => b.Address).ToListAsync(ct);
        var counts = await db.Machines.GroupBy(m => m.BmcId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var conflicts = (await db.IdentityConflicts.AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct)).ToLookup(c => c.BmcId);
        return bmcs.Select(b => new BmcRow(b, counts.GetValueOrDefault(b.Id), [.. conflicts[b.Id]])).ToList();
    }
}
