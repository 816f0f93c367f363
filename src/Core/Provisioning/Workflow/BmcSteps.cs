using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Power;
using Portal.Core.Redfish;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// The workflow's BMC actions. Each reads the BMC's current state first and does nothing when the
/// goal is already reached, so a step repeated after a crash (or a retry) never acts twice.
/// Power goes through <see cref="PowerActionRunner"/>, the same path as the power buttons, so it is
/// audited and shows in the machine's power history.
/// </summary>
public sealed class BmcSteps(IServiceScopeFactory scopes, BmcSessions sessions, PowerActionRunner power, TimeProvider clock)
{
    public async Task<string> PowerAsync(Machine machine, string requestedById, bool on, CancellationToken ct)
    {
        var expected = on ? "On" : "Off";
        var current = await Read(machine, ct);
        if (current.PowerState == expected) return $"The machine was already {expected}; nothing to do";

        var action = on ? PowerAction.On
            : PowerActions.AllowedFor(current.Actions?.Reset?.AllowableResetTypes).Contains(PowerAction.ForceOff) ? PowerAction.ForceOff : PowerAction.GracefulShutdown;
        return await RunPowerAsync(machine, requestedById, action, current.PowerState, ct);
    }

    /// <summary>
    /// Into the installed OS: on when the installer powered off at its end, else a restart. Unlike
    /// the other steps this cannot tell afterwards whether it already acted; a second reboot of a
    /// freshly installed machine after a crash right here is the price, and harmless.
    /// </summary>
    public async Task<string> RestartAsync(Machine machine, string requestedById, CancellationToken ct)
    {
        var current = await Read(machine, ct);
        if (current.PowerState is "Off" or null) return await RunPowerAsync(machine, requestedById, PowerAction.On, current.PowerState, ct);
        var allowed = PowerActions.AllowedFor(current.Actions?.Reset?.AllowableResetTypes);
        var action = allowed.Contains(PowerAction.ForceRestart) ? PowerAction.ForceRestart
            : allowed.Contains(PowerAction.PowerCycle) ? PowerAction.PowerCycle
            : throw new BmcStepException($"The BMC offers no restart for this system (it allows: {string.Join(", ", allowed)}).");
        return await RunPowerAsync(machine, requestedById, action, current.PowerState, ct);
    }

    private async Task<string> RunPowerAsync(Machine machine, string requestedById, PowerAction action, string? was, CancellationToken ct)
    {
        long operationId;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var operation = db.PowerOperations.Add(PowerOperation.Request(machine.Id, action, requestedById, "provisioning", clock.GetUtcNow())).Entity;
            await db.SaveChangesAsync(ct);
            operationId = operation.Id;
        }
        await power.RunAsync(operationId, ct);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var done = await db.PowerOperations.AsNoTracking().SingleAsync(o => o.Id == operationId, ct);
            if (done.Status != PowerOperationStatus.Succeeded) throw new BmcStepException(done.Error ?? $"{action} did not complete.");
            return $"{PowerActions.Label(action)} done (power was {was ?? "unknown"}, now {done.FinalPowerState})";
        }
    }

    /// <summary>One-time PXE boot, written with the BMC's ETag so a concurrent change is not overwritten.</summary>
    public async Task<string> SetPxeOnceAsync(Machine machine, CancellationToken ct) =>
        await WithClientAsync(machine, async client =>
        {
            var boot = (await client.GetAsync<ComputerSystem>(machine.RedfishId, ct)).Boot;
            if (boot is { BootSourceOverrideTarget: BootTargets.Pxe, BootSourceOverrideEnabled: nameof(BootOverrideEnabled.Once) })
                return "The one-time PXE boot was already set; nothing to do";
            BootMode? mode = Enum.TryParse<BootMode>(machine.BootMode, ignoreCase: true, out var m) ? m : null;
            await client.SetBootOverrideAsync(machine.RedfishId, BootTargets.Pxe, BootOverrideEnabled.Once, mode, ct);
            return $"Next boot from the network (one-time PXE{(mode is null ? "" : $", {mode}")})";
        }, ct);

    /// <summary>From now on the machine boots its disk. Most BMCs drop a one-time override at boot; some keep it.</summary>
    public async Task<string> ClearOverrideAsync(Machine machine, CancellationToken ct) =>
        await WithClientAsync(machine, async client =>
        {
            var boot = (await client.GetAsync<ComputerSystem>(machine.RedfishId, ct)).Boot;
            if (boot is null || boot.BootSourceOverrideEnabled == nameof(BootOverrideEnabled.Disabled) || boot.BootSourceOverrideTarget is null or BootTargets.None)
                return "No boot override left (the BMC used it up at boot); the machine boots from its disk";
            await client.SetBootOverrideAsync(machine.RedfishId, BootTargets.None, BootOverrideEnabled.Disabled, null, ct);
            return $"Cleared the boot override ({boot.BootSourceOverrideTarget}, {boot.BootSourceOverrideEnabled}); the machine boots from its disk";
        }, ct);

    /// <summary>
    /// A persistent disk-first <c>Boot.BootOrder</c>, so later reboots start the installed OS without
    /// walking the network boot entries. Reads the order and what each entry is, and writes only
    /// when it changes. A BMC without BootOptions or one that refuses the order throws with the reason.
    /// </summary>
    public async Task<string> SetDiskFirstBootOrderAsync(Machine machine, CancellationToken ct) =>
        await WithClientAsync(machine, async client =>
        {
            var boot = (await client.GetAsync<ComputerSystem>(machine.RedfishId, ct)).Boot;
            if (boot?.BootOrder is not { Count: > 0 } current || boot.BootOptions is null)
                throw new BmcStepException("The BMC shows no Boot.BootOrder with BootOptions for this system.");
            var options = await client.GetMembersAsync<BootOption>(boot.BootOptions, ct);
            var (order, why) = DiskFirstBootOrder.For(current, options);
            if (order is null) throw new BmcStepException($"There is no disk entry to put first: {why}.");
            if (order.SequenceEqual(current)) return $"The boot order already starts with the disk: {why}";
            await client.SetBootOrderAsync(machine.RedfishId, order, ct);
            return $"Boot order set to disk first: {why} (was {DiskFirstBootOrder.Describe(current, options)})";
        }, ct);

    private Task<ComputerSystem> Read(Machine machine, CancellationToken ct) =>
        WithClientAsync(machine, client => client.GetAsync<ComputerSystem>(machine.RedfishId, ct), ct);

    private async Task<T> WithClientAsync<T>(Machine machine, Func<RedfishClient, Task<T>> work, CancellationToken ct)
    {
        try
        {
            await using var lease = await sessions.AcquireAsync(machine.Bmc ?? throw new InvalidOperationException($"Machine {machine.Id} was loaded without its BMC."), ct);
            try
            {
                return await work(lease.Client);
            }
            catch (RedfishException e)
            {
                lease.InvalidateOn(e);
                throw;
            }
        }
        catch (RedfishException e)
        {
            throw new BmcStepException(BmcConnector.Explain(e));
        }
    }
}
