using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Redfish;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Power;

/// <summary>
/// Reads the power state of the machines checked longest ago (a batch per run, so a big fleet is
/// covered over several runs rather than all at once). Each BMC is asked one request at a time,
/// well inside the per-BMC limit the Redfish client enforces anyway, over its shared session:
/// at rest that is one GET per system per refresh. Machines on BMCs with an open event stream
/// are read only every <see cref="PowerOptions.EventedRefreshInterval"/>.
/// </summary>
public sealed class PowerStateRefresher(
    IServiceScopeFactory scopes, BmcSessions sessions, EventedBmcs evented, IOptions<PowerOptions> options, TimeProvider clock,
    ILiveUpdates live, ILogger<PowerStateRefresher> logger)
{
    public async Task<int> RefreshDueAsync(CancellationToken ct)
    {
        List<(long Id, string RedfishId, string PowerState, Bmcs.Bmc Bmc)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var streamed = evented.Snapshot();
            var streamedDue = clock.GetUtcNow() - options.Value.EventedRefreshInterval;
            var rows = await db.Machines.AsNoTracking().Include(m => m.Bmc)
                .Where(m => m.Bmc!.Username != null && m.Bmc.EncryptedPassword != null)
                .Where(m => !streamed.Contains(m.BmcId) || m.PowerCheckedAt == null || m.PowerCheckedAt < streamedDue)
                .OrderBy(m => m.PowerCheckedAt != null).ThenBy(m => m.PowerCheckedAt).ThenBy(m => m.Id)
                .Take(options.Value.RefreshBatchSize)
                .ToListAsync(ct);
            due = rows.Select(m => (m.Id, m.RedfishId, m.PowerState, m.Bmc!)).ToList();
        }

        var read = 0;
        await Parallel.ForEachAsync(due.GroupBy(m => m.Bmc.Id),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.RefreshParallelBmcs, CancellationToken = ct },
            async (machines, token) =>
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                var bmc = machines.First().Bmc;
                try
                {
                    await using var lease = await sessions.AcquireAsync(bmc, token);
                    try
                    {
                        foreach (var machine in machines)
                        {
                            await ReadAsync(db, lease.Client, machine.Id, machine.RedfishId, machine.PowerState, token);
                            Interlocked.Increment(ref read);
                        }
                    }
                    catch (RedfishException e)
                    {
                        lease.InvalidateOn(e);
                        throw;
                    }
                }
                catch (RedfishException e)
                {
                    // Move them to the back of the queue anyway, so one dead BMC does not hold up the rest.
                    logger.LogInformation("Power refresh of BMC {Bmc} failed: {Error}", bmc.Address, e.Message);
                    foreach (var machine in machines) await db.RecordPowerCheckFailedAsync(machine.Id, clock.GetUtcNow(), token);
                }
            });
        return read;
    }

    /// <summary>
    /// Reads now the machines of one BMC that sit at <paramref name="systemPath"/> (all of them when
    /// null): an event said their power or boot state changed.
    /// </summary>
    public async Task<int> RefreshBmcAsync(long bmcId, RedfishClient client, string? systemPath, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var machines = await db.Machines.AsNoTracking()
            .Where(m => m.BmcId == bmcId && (systemPath == null || m.RedfishId == systemPath || m.RedfishId == systemPath + "/"))
            .Select(m => new { m.Id, m.RedfishId, m.PowerState })
            .ToListAsync(ct);
        foreach (var machine in machines)
            await ReadAsync(db, client, machine.Id, machine.RedfishId, machine.PowerState, ct);
        return machines.Count;
    }

    private async Task ReadAsync(AppDbContext db, RedfishClient client, long machineId, string redfishId, string knownState, CancellationToken ct)
    {
        var system = await client.GetAsync<ComputerSystem>(redfishId, ct);
        var state = system.PowerState ?? nameof(PowerState.Unknown);
        await db.RecordPowerAsync(machineId, state, system.Actions?.Reset?.AllowableResetTypes, clock.GetUtcNow(), ct);
        if (state != knownState) await live.ChangedAsync($"machine:{machineId}", ct);
    }
}
