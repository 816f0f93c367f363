using Microsoft.EntityFrameworkCore;
using Portal.Core.Bmcs;
using Portal.Core.Persistence;

namespace Portal.Discovery;

/// <summary>A BMC and how many machines it manages, as the BMC list and the API show it.</summary>
internal sealed record BmcRow(Bmc Bmc, int Machines);

internal static class BmcQueries
{
    public static async Task<List<BmcRow>> BmcRowsAsync(this AppDbContext db, CancellationToken ct = default)
    {
        var counts = await db.Machines.GroupBy(m => m.BmcId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return (await db.Bmcs.AsNoTracking().OrderBy(b => b.Address).ToListAsync(ct))
            .Select(b => new BmcRow(b, counts.GetValueOrDefault(b.Id))).ToList();
    }
}
