using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Redfish;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Power;

/// <summary>
/// Carries out one <see cref="PowerOperation"/>: Reset through Redfish (the client checks the
/// BMC's allowable values and retries transient failures), then reads PowerState until it is
/// the expected one or the timeout passes. The outcome is stored, audited and pushed live.
/// </summary>
public sealed class PowerActionRunner(
    IServiceScopeFactory scopes, BmcSessions sessions, IOptions<PowerOptions> options, TimeProvider clock,
    ILiveUpdates live, ILogger<PowerActionRunner> logger)
{
    public async Task RunAsync(long operationId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var operation = await db.PowerOperations.SingleOrDefaultAsync(o => o.Id == operationId, ct);
        if (operation is null || operation.IsFinished) return; // already done (e.g. a re-fired job after a restart)
        var machine = await db.Machines.AsNoTracking().Include(m => m.Bmc).SingleAsync(m => m.Id == operation.MachineId, ct);
        if (operation.Status == PowerOperationStatus.Running)
        {
            await FinishInterruptedAsync(db, operation, machine, ct);
            return;
        }

        operation.Start(clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        await NotifyAsync(machine.Id, ct);

        string? lastState = null;
        BmcLease? lease = null;
        try
        {
            (lease, var system) = await PrepareAsync(machine.Bmc!, machine.RedfishId, ct);
            var client = lease.Client;
            await db.RecordPowerAsync(machine.Id, system.PowerState ?? "Unknown", system.Actions?.Reset?.AllowableResetTypes, clock.GetUtcNow(), ct);
            await client.ResetAsync(system, operation.Action, ct);
            lastState = await WaitForAsync(client, machine.RedfishId, operation.ExpectedState, ct);
            if (lastState == operation.ExpectedState)
                operation.Succeed(lastState, clock.GetUtcNow());
            else
                operation.Fail($"The BMC accepted {operation.Action}, but PowerState is still {lastState ?? "unknown"} after {options.Value.ActionTimeout.TotalSeconds:0} s (expected {operation.ExpectedState}).", lastState, clock.GetUtcNow());
        }
        catch (RedfishException e)
        {
            lease?.InvalidateOn(e);
            logger.LogWarning("Power {Action} on machine {Machine} failed: {Error}", operation.Action, machine.Id, e.Message);
            operation.Fail(BmcConnector.Explain(e), lastState, clock.GetUtcNow());
        }
        finally
        {
            if (lease is not null) await lease.DisposeAsync();
        }

        var now = clock.GetUtcNow();
        if (lastState is not null) await db.RecordPowerAsync(machine.Id, lastState, null, now, ct);
        db.AuditEvents.Add(AuditEvent.Record(new Actor(operation.RequestedById, operation.RequestedByName), "machine.power", "machine", machine.Id.ToString(),
            operation.Status == PowerOperationStatus.Succeeded
                ? $"{machine.Name}: {operation.Action} done, power {lastState}"
                : $"{machine.Name}: {operation.Action} failed: {operation.Error}", now));
        // The outcome is saved even when the caller is shutting down: a half-recorded result would show "running" forever.
        await db.SaveChangesAsync(CancellationToken.None);
        await NotifyAsync(machine.Id, CancellationToken.None);
    }

    /// <summary>
    /// An operation that was under way when its Portal stopped (recovered by Quartz, or by the sweep):
    /// whether the BMC acted on the Reset is unknown, and repeating it could cycle a machine twice, so
    /// the machine's power is watched as after a Reset — done once it is in the expected state, failed
    /// with the reason at the timeout. Either way the machine takes power actions again.
    /// </summary>
    private async Task FinishInterruptedAsync(AppDbContext db, PowerOperation operation, Machines.Machine machine, CancellationToken ct)
    {
        string? state = null;
        try
        {
            var (lease, system) = await PrepareAsync(machine.Bmc!, machine.RedfishId, ct);
            await using var _ = lease;
            var client = lease.Client;
            state = system.PowerState == operation.ExpectedState ? system.PowerState : await WaitForAsync(client, machine.RedfishId, operation.ExpectedState, ct);
        }
        catch (RedfishException e)
        {
            logger.LogWarning("Power state of machine {Machine} unreadable after an interrupted {Action}: {Error}", machine.Id, operation.Action, e.Message);
        }
        var now = clock.GetUtcNow();
        if (state == operation.ExpectedState)
            operation.Succeed(state, now);
        else
            operation.Fail($"The Portal stopped while {operation.Action} was under way; the machine's power is {state ?? "unknown"} now (expected {operation.ExpectedState}). Request it again if it is still needed.", state, now);
        if (state is not null) await db.RecordPowerAsync(machine.Id, state, null, now, ct);
        db.AuditEvents.Add(AuditEvent.Record(new Actor(operation.RequestedById, operation.RequestedByName), "machine.power", "machine", machine.Id.ToString(),
            operation.Status == PowerOperationStatus.Succeeded
                ? $"{machine.Name}: {operation.Action} done (finished after the Portal restarted), power {state}"
                : $"{machine.Name}: {operation.Action} failed: {operation.Error}", now));
        await db.SaveChangesAsync(CancellationToken.None);
        await NotifyAsync(machine.Id, CancellationToken.None);
    }

    /// <summary>
    /// Logs in and reads the system, trying again when the BMC is briefly unwell: nothing has been
    /// asked of it yet, so repeating is harmless. (The Reset itself is only repeated by the client
    /// when the BMC certainly did not act on it.)
    /// </summary>
    private async Task<(BmcLease, ComputerSystem)> PrepareAsync(Bmcs.Bmc bmc, string systemId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            BmcLease? lease = null;
            try
            {
                lease = await sessions.AcquireAsync(bmc, ct);
                return (lease, await lease.Client.GetAsync<ComputerSystem>(systemId, ct));
            }
            catch (RedfishException e) when (e.IsTransient && attempt < 3)
            {
                if (lease is not null) await lease.DisposeAsync();
                logger.LogInformation("BMC {Bmc} briefly unavailable, trying again: {Error}", bmc.Address, e.Message);
                await Task.Delay(options.Value.PollInterval * attempt, clock, ct);
            }
            catch (Exception e)
            {
                if (lease is not null)
                {
                    lease.InvalidateOn(e);
                    await lease.DisposeAsync();
                }
                throw;
            }
        }
    }

    /// <summary>Reads PowerState until it matches; transient read errors are shrugged off until the deadline.</summary>
    private async Task<string?> WaitForAsync(RedfishClient client, string systemId, string expected, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + options.Value.ActionTimeout;
        string? state = null;
        while (true)
        {
            try { state = (await client.GetPowerStateAsync(systemId, ct)).ToString(); }
            catch (RedfishException e) when (e.IsTransient) { logger.LogInformation("Power state read failed, will retry: {Error}", e.Message); }
            if (state == expected || clock.GetUtcNow() >= deadline) return state;
            await Task.Delay(options.Value.PollInterval, clock, ct);
        }
    }

    private async Task NotifyAsync(long machineId, CancellationToken ct) => await live.ChangedAsync($"machine:{machineId}", ct);
}
