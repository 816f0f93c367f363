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
/// well inside the per-BMC limit the Redfish client enforces anyway.
/// </summary>
public sealed class PowerStateRefresher(
    IServiceScopeFactory scopes, BmcConnector connector, IOptions<PowerOptions> options, TimeProvider clock,
    ILiveUpdates live, ILogger<PowerStateRefresher> logger)
{
    public async Task<int> RefreshDueAsync(CancellationToken ct)
    {
        List<(long Id, string RedfishId, string PowerState, Bmcs.Bmc Bmc)> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var rows = await db.Machines.AsNoTracking().Include(m => m.Bmc)
                .Where(m => m.Bmc!.Username != null && m.Bmc.EncryptedPassword != null)
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
                    await using var client = await connector.ConnectAsync(bmc, token);
                    foreach (var machine in machines)
                    {
                        var system = await client.GetAsync<ComputerSystem>(machine.RedfishId, token);
                        var state = system.PowerState ?? nameof(PowerState.Unknown);
                        await db.RecordPowerAsync(machine.Id, state, system.Actions?.Reset?.AllowableResetTypes, clock.GetUtcNow(), token);
                        Interlocked.Increment(ref read);
                        if (state != machine.PowerState) await live.ChangedAsync($"machine:{machine.Id}", token);
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
}
