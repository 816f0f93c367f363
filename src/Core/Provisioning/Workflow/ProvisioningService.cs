using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>What to install on a machine: the inputs of a deployment, as a page or the API collects them.</summary>
public sealed record DeploymentRequest(long MachineId, long ProfileId, string Hostname, IReadOnlyList<string> SshKeys, IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// Starts, cancels and retries provisioning runs for the people who hold the machines. Each
/// records the deployment and its workflow row in one transaction, then hands the run to Quartz.
/// </summary>
/// <remarks>A host without the netboot side (<paramref name="netboot"/> null) checks no netboot address.</remarks>
public sealed partial class ProvisioningService(AppDbContext db, ISchedulerFactory schedulers, TimeProvider clock, ILiveUpdates live, Reservations.Reservations reservations,
    INetbootAddress? netboot = null)
{
    public sealed record Started(Outcome Outcome, long? DeploymentId);

    public async Task<Started> StartAsync(DeploymentRequest request, Requester who, CancellationToken ct = default)
    {
        var machine = await db.Machines.SingleOrDefaultAsync(m => m.Id == request.MachineId, ct);
        if (machine is null) return new(Outcome.NotFound(), null);
        if (Refused(machine, who) is { } refused) return new(refused, null);
        if (machine.State is not (MachineState.Reserved or MachineState.Deployed))
            return new(new Outcome(OutcomeStatus.Conflict, machine.State switch
            {
                MachineState.Provisioning => $"{machine.Name} is already being provisioned; cancel that run first.",
                MachineState.Failed => $"{machine.Name}'s last deployment failed; retry it or release the machine.",
                _ => $"{machine.Name} is {machine.State}; only a reserved or deployed machine can be provisioned.",
            }), null);
        var hostname = request.Hostname.Trim().ToLowerInvariant();
        if (!IsHostname(hostname)) return new(Outcome.Invalid($"\"{request.Hostname}\" is not a valid hostname (letters, digits and hyphens, dot-separated labels of at most 63 characters)."), null);
        var profile = await db.OsProfiles.SingleOrDefaultAsync(p => p.Id == request.ProfileId, ct);
        if (profile is null) return new(Outcome.Invalid("No such OS profile."), null);
        var keys = request.SshKeys.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (keys.FirstOrDefault(k => !k.StartsWith("ssh-", StringComparison.Ordinal) && !k.StartsWith("ecdsa-", StringComparison.Ordinal)) is { } bad)
            return new(Outcome.Invalid($"\"{Shorten(bad)}\" does not look like an SSH public key (ssh-ed25519 / ssh-rsa / ecdsa-...)."), null);

        return await BeginAsync(machine, profile, hostname, keys, request.Parameters, who, "deployment.started", ct);
    }

    /// <summary>Stops a run at whatever step it is in; the machine goes back to its holder (Reserved).</summary>
    public async Task<Outcome> CancelAsync(long deploymentId, Requester who, CancellationToken ct = default)
    {
        // A step saving in the same instant (every poll of a waiting step does) wins the row; look again with fresh rows.
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            if (await TryCancelAsync(deploymentId, who, ct) is { } outcome) return outcome;
            if (attempt == 3) return new(OutcomeStatus.Conflict, $"Deployment {deploymentId} kept changing while cancelling; try again.");
        }
    }

    /// <summary>Null when the run changed underneath (xmin): nothing was saved.</summary>
    private async Task<Outcome?> TryCancelAsync(long deploymentId, Requester who, CancellationToken ct)
    {
        var deployment = await db.Deployments.Include(d => d.Machine).SingleOrDefaultAsync(d => d.Id == deploymentId, ct);
        if (deployment is null) return Outcome.NotFound("No such deployment.");
        if (Refused(deployment.Machine!, who) is { } refused) return refused;
        if (!deployment.IsActive) return new(OutcomeStatus.Conflict, $"Deployment {deploymentId} already ended ({deployment.State}).");
        var workflow = await db.DeploymentWorkflows.SingleOrDefaultAsync(w => w.DeploymentId == deploymentId, ct);

        var now = clock.GetUtcNow();
        deployment.RecordEvent(DeploymentEventKind.Step, "cancelled", $"Cancelled by {who.Name} during \"{workflow?.Step.Label() ?? "unknown step"}\"", null, null, now);
        deployment.Cancel(now);
        // A cancelled install gives the machine back to its holder; a cancelled release may have left it half-wiped or running.
        if (deployment.Kind == DeploymentKind.Install) deployment.Machine!.ProvisioningCancelled(now);
        else deployment.Machine!.ReleaseFailed(now);
        workflow?.Cancel(now);
        db.AuditEvents.Add(AuditEvent.Record(who.Actor, "deployment.cancelled", "machine", deployment.MachineId.ToString(), $"Deployment {deploymentId} ({deployment.Hostname}) cancelled", now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null;
        }
        await NotifyAsync(deployment, ct);
        return Outcome.Done(deployment.Kind == DeploymentKind.Install
            ? $"Deployment of {deployment.Hostname} cancelled; {deployment.Machine.Name} is still yours."
            : $"Release of {deployment.Machine.Name} cancelled; it is Failed and still yours until you release it again.");
    }

    /// <summary>A failed run starts again from the beginning, as a new deployment with the same inputs.</summary>
    public async Task<Started> RetryAsync(long deploymentId, Requester who, CancellationToken ct = default)
    {
        var failed = await db.Deployments.Include(d => d.Machine).Include(d => d.Profile).SingleOrDefaultAsync(d => d.Id == deploymentId, ct);
        if (failed is null) return new(Outcome.NotFound("No such deployment."), null);
        if (failed.Kind == DeploymentKind.Release)
        {
            var released = await ReleaseAsync(failed.MachineId, failed.ProfileId, who, ct);
            return released;
        }
        var machine = failed.Machine!;
        if (Refused(machine, who) is { } refused) return new(refused, null);
        if (failed.State != DeploymentState.Failed || machine.State != MachineState.Failed)
            return new(new Outcome(OutcomeStatus.Conflict, $"Only a failed deployment on a failed machine can be retried (deployment {deploymentId} is {failed.State}, {machine.Name} is {machine.State})."), null);
        var newer = await db.Deployments.AnyAsync(d => d.MachineId == machine.Id && d.Id > deploymentId, ct);
        if (newer) return new(new Outcome(OutcomeStatus.Conflict, $"{machine.Name} has had a newer deployment since; retry that one."), null);

        if (netboot?.Problem is { } unreachable) return new(new Outcome(OutcomeStatus.Conflict, unreachable), null);
        machine.ClearProvisioningFailure(clock.GetUtcNow());
        return await BeginAsync(machine, failed.Profile!, failed.Hostname, failed.SshKeys, failed.Parameters, who, "deployment.retried", ct);
    }

    /// <summary>
    /// Gives a machine back. A reserved machine is simply released; a deployed or failed one goes
    /// through a release run: optionally a wipe (the given profile netboots like an install), then a
    /// power-off, then Available. The run has a timeline like any deployment.
    /// </summary>
    public async Task<Started> ReleaseAsync(long machineId, long? wipeProfileId, Requester who, CancellationToken ct = default)
    {
        var machine = await db.Machines.SingleOrDefaultAsync(m => m.Id == machineId, ct);
        if (machine is null) return new(Outcome.NotFound(), null);
        if (!machine.IsHeld) return new(new Outcome(OutcomeStatus.Conflict, $"{machine.Name} is not reserved by anyone."), null);
        if (!who.MayControl(machine)) return new(Outcome.Forbidden($"{machine.Name} is held by {machine.ReservedByName}; only they or an Operator can release it."), null);
        // Nothing was installed: the plain release the catalogue has always done.
        if (machine.State == MachineState.Reserved && wipeProfileId is null)
            return new(await reservations.ReleaseAsync(machineId, who, ct), null);
        var now = clock.GetUtcNow();
        if (machine.State is not (MachineState.Deployed or MachineState.Failed))
            return new(new Outcome(OutcomeStatus.Conflict, machine.State switch
            {
                MachineState.Reserved => $"{machine.Name} was never installed by Portal; release it without a wipe.",
                MachineState.Provisioning => $"{machine.Name} is being provisioned; cancel that run first.",
                MachineState.Releasing => $"{machine.Name} is already being released.",
                _ => $"{machine.Name} is {machine.State} and cannot be released.",
            }), null);
        OsProfile? wipe = null;
        if (wipeProfileId is { } wipeId && (wipe = await db.OsProfiles.SingleOrDefaultAsync(p => p.Id == wipeId, ct)) is null)
            return new(Outcome.Invalid("No such wipe profile."), null);
        if (wipe is not null && netboot?.Problem is { } unreachable) return new(new Outcome(OutcomeStatus.Conflict, unreachable), null);

        var deployment = Deployment.StartRelease(machine, machine.ReservedById!, wipe, machine.Name.ToLowerInvariant(), now);
        return await SaveAndScheduleAsync(deployment, machine, who, "machine.release-started",
            wipe is null ? $"{machine.Name}: release started (power off)" : $"{machine.Name}: release started (wipe with {wipe.Name}, power off)",
            wipe is null ? $"Releasing {machine.Name}: powering it off." : $"Releasing {machine.Name}: wiping it with {wipe.Name}, then powering it off.", ct);
    }

    private async Task<Started> BeginAsync(Machine machine, OsProfile profile, string hostname, IReadOnlyList<string> keys,
        IReadOnlyDictionary<string, string> parameters, Requester who, string auditAction, CancellationToken ct)
    {
        if (netboot?.Problem is { } unreachable) return new(new Outcome(OutcomeStatus.Conflict, unreachable), null);
        var now = clock.GetUtcNow();
        var deployment = Deployment.Start(machine, machine.ReservedById ?? who.UserId, profile, hostname, keys, null, parameters, now);
        return await SaveAndScheduleAsync(deployment, machine, who, auditAction, $"{machine.Name}: provisioning {profile.Name} as {hostname}",
            $"Provisioning {machine.Name} with {profile.Name} as {hostname}.", ct);
    }

    private async Task<Started> SaveAndScheduleAsync(Deployment deployment, Machine machine, Requester who, string auditAction, string auditText, string done, CancellationToken ct)
    {
        var now = deployment.CreatedAt;
        db.Deployments.Add(deployment);
        db.AuditEvents.Add(AuditEvent.Record(who.Actor, auditAction, "machine", machine.Id.ToString(), auditText, now));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
            db.DeploymentWorkflows.Add(DeploymentWorkflow.Begin(deployment, now));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            // Someone else changed the machine or started a run on it in the same instant: exactly one wins.
            return new(new Outcome(OutcomeStatus.Conflict, $"{machine.Name} changed meanwhile (another deployment or a release); reload and try again."), null);
        }
        await ProvisioningSchedule.StartAsync(await schedulers.GetScheduler(ct), deployment.Id, ct);
        await NotifyAsync(deployment, ct);
        return new(Outcome.Done(done), deployment.Id);
    }

    /// <summary>Only the holder, or an Operator, acts on a held machine; nobody provisions a machine nobody holds.</summary>
    private static Outcome? Refused(Machine machine, Requester who) =>
        !machine.IsHeld ? Outcome.Forbidden($"Reserve {machine.Name} first: only a reserved machine can be provisioned.")
        : !who.MayControl(machine) ? Outcome.Forbidden($"{machine.Name} is held by {machine.ReservedByName}; only they or an Operator can provision it.")
        : null;

    private async Task NotifyAsync(Deployment deployment, CancellationToken ct)
    {
        await live.DeploymentChangedAsync(deployment.Id, ct);
        await live.ChangedAsync($"machine:{deployment.MachineId}", ct);
    }

    private static bool IsHostname(string name) => name.Length is > 0 and <= 253 && HostnamePattern().IsMatch(name);

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex(@"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")]
    private static partial Regex HostnamePattern();
}
