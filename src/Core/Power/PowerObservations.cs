using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Core.Power;

internal static class PowerObservations
{
    /// <summary>
    /// Writes what a BMC said about a machine's power straight to its row. An observation is a
    /// fact, not a decision: it must not fail on a concurrent reservation (no revision check, and it leaves the revision alone), and it
    /// touches only the power columns so it cannot undo anyone else's change.
    /// </summary>
    public static Task<int> RecordPowerAsync(this AppDbContext db, long machineId, string powerState, IReadOnlyList<string>? resetTypes, DateTimeOffset now, CancellationToken ct) =>
        resetTypes is null
            ? db.Machines.Where(m => m.Id == machineId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.PowerState, powerState).SetProperty(m => m.PowerCheckedAt, now), ct)
            : db.Machines.Where(m => m.Id == machineId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.PowerState, powerState).SetProperty(m => m.PowerCheckedAt, now)
                .SetProperty(m => m.ResetTypes, resetTypes.ToList()), ct);

    public static Task<int> RecordPowerCheckFailedAsync(this AppDbContext db, long machineId, DateTimeOffset now, CancellationToken ct) =>
        db.Machines.Where(m => m.Id == machineId).ExecuteUpdateAsync(s => s.SetProperty(m => m.PowerCheckedAt, now), ct);
}
