using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Discovery;

internal static class BmcQueries
{
    public static async Task<List<BmcTable.Row>> BmcRowsAsync(this AppDbContext db, CancellationToken ct = default)
    {
        var counts = await db.Machines.GroupBy(m => m.BmcId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return (await db.Bmcs.AsNoTracking().OrderBy(b => b.Address).ToListAsync(ct))
            .Select(b => new BmcTable.Row(b, counts.GetValueOrDefault(b.Id))).ToList();
    }
}
