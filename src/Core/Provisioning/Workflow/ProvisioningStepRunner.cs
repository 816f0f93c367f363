using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Persistence;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// Runs the current step of one deployment's workflow and says when to run again (null: the run
/// ended). BMC steps act and advance; waiting steps look at the timeline, which the netboot
/// endpoints fill, and give up at their deadline with a reason that says what never happened.
/// Everything it decides is saved before it returns, so the next call, in this process or after a
/// restart, continues from there.
/// </summary>
public sealed class ProvisioningStepRunner(
    IServiceScopeFactory scopes, BmcSteps bmc, Admission admission, IOptions<ProvisioningOptions> options, TimeProvider clock,
    ILiveUpdates live, ILogger<ProvisioningStepRunner> logger)
{
    private static readonly string[] ScriptPhases = ["script"];
    private static readonly string[] ConfigPhases = ["config", "user-data"];

    public async Task<DateTimeOffset?> RunStepAsync(long deploymentId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var workflow = await db.DeploymentWorkflows.SingleOrDefaultAsync(w => w.DeploymentId == deploymentId, ct);
        if (workflow is null || workflow.IsFinished) return null;
        var deployment = await db.Deployments.Include(d => d.Machine).ThenInclude(m => m!.Bmc).Include(d => d.Profile).SingleAsync(d => d.Id == deploymentId, ct);
        var before = workflow.Step;

        var next = deployment.State == DeploymentState.Active
            ? await RunActiveAsync(db, workflow, deployment, ct)
            : await RunEndedAsync(db, workflow, deployment, ct);

        try
        {
            // Saved even when the host is stopping: the BMC may already have acted, and the record must say so.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A cancel, or the installer's done/failed, changed the run meanwhile: look again with fresh rows.
            // Repeating the step is safe, it checks the BMC first.
            logger.LogInformation("Deployment {Deployment} changed while its {Step} step ran; running it again", deploymentId, before);
            return clock.GetUtcNow();
        }
        if (workflow.Step != before)
            logger.LogInformation("Deployment {Deployment} of machine {Machine} as {Hostname}: {From} → {To}{Reason}",
                deploymentId, deployment.MachineId, deployment.Hostname, before, workflow.Step, workflow.Step == ProvisioningStep.Failed ? $" ({workflow.LastError})" : "");
        await live.DeploymentChangedAsync(deploymentId, CancellationToken.None);
        if (workflow.Step != before && workflow.IsFinished) await live.ChangedAsync($"machine:{deployment.MachineId}", CancellationToken.None);
        return next;
    }

    private async Task<DateTimeOffset?> RunActiveAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, CancellationToken ct)
    {
        var o = options.Value;
        var machine = deployment.Machine!;
        return workflow.Step switch
        {
            ProvisioningStep.Queued => await AdmitAsync(db, workflow, deployment, ct),
            // A release without a wipe: the power-off is all there is, and then the machine is free.
            ProvisioningStep.ReleasePowerOff => await BmcStepAsync(db, workflow, deployment, () => bmc.PowerAsync(machine, deployment.RequestedById, on: false, ct),
                ProvisioningStep.Released, null, now => { deployment.Finish(now); machine.Released(now); }),
            ProvisioningStep.PowerOff => await BmcStepAsync(db, workflow, deployment, () => bmc.PowerAsync(machine, deployment.RequestedById, on: false, ct), ProvisioningStep.SetPxeOverride, null),
            ProvisioningStep.SetPxeOverride => await BmcStepAsync(db, workflow, deployment, () => bmc.SetPxeOnceAsync(machine, ct), ProvisioningStep.PowerOn, null),
            ProvisioningStep.PowerOn => await BmcStepAsync(db, workflow, deployment, () => bmc.PowerAsync(machine, deployment.RequestedById, on: true, ct), ProvisioningStep.WaitForScriptFetch, o.ScriptFetchTimeout),
            ProvisioningStep.WaitForScriptFetch => await WaitForFetchAsync(db, workflow, deployment, ScriptPhases, ProvisioningStep.WaitForConfigFetch, o.ConfigFetchTimeout,
                $"The machine did not fetch its iPXE script within {WorkflowTimeline.Took(o.ScriptFetchTimeout)} of powering on. Check that it PXE-boots from a network whose DHCP hands out the portal's /boot.ipxe, and the netboot sightings for requests from it.", ct),
            ProvisioningStep.WaitForConfigFetch => await WaitForFetchAsync(db, workflow, deployment, ConfigPhases, ProvisioningStep.WaitForInstallerDone, o.InstallerTimeout,
                $"The installer did not fetch its config within {WorkflowTimeline.Took(o.ConfigFetchTimeout)} of the iPXE script fetch. The kernel or initrd may not have loaded; see the machine's console.", ct),
            ProvisioningStep.WaitForInstallerDone => WaitForInstaller(db, workflow, deployment, o),
            // ClearOverride runs after the installer's done, which ends the deployment: see RunEndedAsync.
            _ => throw new InvalidOperationException($"Deployment {deployment.Id} is active but its run is at {workflow.Step}."),
        };
    }

    /// <summary>The deployment ended outside the workflow: the installer said done or failed, rendering failed, or someone cancelled.</summary>
    private async Task<DateTimeOffset?> RunEndedAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        switch (deployment.State)
        {
            case DeploymentState.Finished when workflow.Step < ProvisioningStep.ClearOverride:
            {
                // Stamped when the installer said so, not when this run looked: the row sits beside the "done" it describes.
                var doneAt = Later(deployment.FinishedAt ?? now, workflow.StepStartedAt);
                WorkflowTimeline.Step(db, deployment, ProvisioningStep.WaitForInstallerDone,
                    $"The installer reported done {WorkflowTimeline.Took(doneAt - workflow.StepStartedAt)} after the {workflow.Step.Label().ToLowerInvariant()} step began", doneAt);
                workflow.Advance(ProvisioningStep.ClearOverride, doneAt);
                return now;
            }
            case DeploymentState.Finished when workflow.Step == ProvisioningStep.ClearOverride:
                return await ClearOverrideAsync(db, workflow, deployment, ct);
            case DeploymentState.Finished when workflow.Step == ProvisioningStep.Restart:
                return await RestartAsync(db, workflow, deployment, ct);
            case DeploymentState.Finished when workflow.Step == ProvisioningStep.ReleasePowerOff:
                // After a wipe: the installer's done ended the deployment, the machine is still Releasing until it is off.
                return await BmcStepAsync(db, workflow, deployment, () => bmc.PowerAsync(deployment.Machine!, deployment.RequestedById, on: false, ct),
                    ProvisioningStep.Released, null, now => deployment.Machine!.Released(now));
            case DeploymentState.Finished:
                throw new InvalidOperationException($"Deployment {deployment.Id} finished but its run is at {workflow.Step}.");
            case DeploymentState.Failed:
                WorkflowTimeline.Step(db, deployment, workflow.Step, $"Run stopped at \"{workflow.Step.Label()}\": {deployment.FailureReason}",
                    Later(deployment.FinishedAt ?? now, workflow.StepStartedAt));
                workflow.Fail(deployment.FailureReason ?? "The deployment failed.", now);
                return null;
            default:
                workflow.Cancel(now);
                return null;
        }
    }

    private async Task<DateTimeOffset?> BmcStepAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, Func<Task<string>> act,
        ProvisioningStep next, TimeSpan? nextTimeout, Action<DateTimeOffset>? done = null)
    {
        var step = workflow.Step;
        var started = clock.GetUtcNow();
        try
        {
            var what = await act();
            var now = clock.GetUtcNow();
            var took = WorkflowTimeline.Took(now - started);
            if (step == ProvisioningStep.PowerOn && await NetbootingSinceAsync(db, deployment, started, CancellationToken.None) is { } acted && acted < now)
            {
                // The BMC is polled until it says On; a fast machine asks for its script before that. It was on
                // just before its first request (a microsecond, the timeline's resolution), so the step ends there.
                (now, what) = (acted.AddTicks(-TimeSpan.TicksPerMicrosecond), $"{what}; the machine was netbooting {WorkflowTimeline.Took(acted - started)} after the step began");
            }
            WorkflowTimeline.Step(db, deployment, step, $"{step.Label()}: {what} ({took})", now);
            workflow.Advance(next, now, nextTimeout);
            done?.Invoke(now);
            return next.IsTerminal() ? null : now;
        }
        catch (BmcStepException e)
        {
            var now = clock.GetUtcNow();
            var attempts = options.Value.BmcAttempts;
            if (workflow.Attempt < attempts)
            {
                WorkflowTimeline.Step(db, deployment, step, $"{step.Label()}: attempt {workflow.Attempt} of {attempts} failed after {WorkflowTimeline.Took(now - started)}: {e.Message} Trying again.", now);
                var retryAt = now + options.Value.BmcRetryDelay * workflow.Attempt;
                workflow.TryAgain(e.Message, now);
                return retryAt;
            }
            Fail(db, workflow, deployment, $"{step.Label()} failed after {attempts} attempt{(attempts == 1 ? "" : "s")}: {e.Message}", now);
            return null;
        }
    }

    /// <summary>When this run's machine first made a netboot request at or after <paramref name="since"/>, if it did.</summary>
    private static Task<DateTimeOffset?> NetbootingSinceAsync(AppDbContext db, Deployment deployment, DateTimeOffset since, CancellationToken ct) =>
        db.DeploymentEvents.AsNoTracking()
            .Where(e => e.DeploymentId == deployment.Id && e.Kind == DeploymentEventKind.Netboot && e.At >= since)
            .MinAsync(e => (DateTimeOffset?)e.At, ct);

    private async Task<DateTimeOffset?> WaitForFetchAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, string[] phases,
        ProvisioningStep next, TimeSpan nextTimeout, string timeoutReason, CancellationToken ct)
    {
        // Events arrive through the netboot endpoints at any time, also while the Portal was down: the timeline is the truth.
        var fetchedAt = await db.DeploymentEvents.AsNoTracking()
            .Where(e => e.DeploymentId == deployment.Id && e.Kind == DeploymentEventKind.Netboot && phases.Contains(e.Phase))
            .OrderBy(e => e.Id).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        if (fetchedAt is { } at)
        {
            var what = workflow.Step == ProvisioningStep.WaitForScriptFetch ? "iPXE script" : "installer config";
            // Stamped when the machine fetched it (not when this run looked), so the row sits beside the fetch on the timeline.
            var ended = Later(at, workflow.StepStartedAt);
            WorkflowTimeline.Step(db, deployment, workflow.Step, at < workflow.StepStartedAt
                ? $"The machine had fetched its {what} {WorkflowTimeline.Took(workflow.StepStartedAt - at)} before the step began"
                : $"The machine fetched its {what} {WorkflowTimeline.Took(at - workflow.StepStartedAt)} after the step began", ended);
            // The next step began when the machine acted: its deadline ("within … of the fetch") counts from there.
            workflow.Advance(next, ended, nextTimeout);
            return now;
        }
        return TimedOut(db, workflow, deployment, timeoutReason, now);
    }

    private DateTimeOffset? WaitForInstaller(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, ProvisioningOptions o) =>
        TimedOut(db, workflow, deployment,
            $"The installer did not report done within {WorkflowTimeline.Took(o.InstallerTimeout)} of fetching its config. Its last events are on the timeline.",
            clock.GetUtcNow());

    /// <summary>Fails the run at its deadline; otherwise says when to look again.</summary>
    private DateTimeOffset? TimedOut(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, string reason, DateTimeOffset now)
    {
        var deadline = workflow.Deadline ?? DateTimeOffset.MaxValue;
        if (now < deadline)
        {
            var poll = now + options.Value.PollInterval;
            return poll < deadline ? poll : deadline;
        }
        Fail(db, workflow, deployment, reason, now);
        return null;
    }

    private async Task<DateTimeOffset?> ClearOverrideAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        try
        {
            var what = await bmc.ClearOverrideAsync(deployment.Machine!, ct);
            var now = clock.GetUtcNow();
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.ClearOverride, $"{ProvisioningStep.ClearOverride.Label()}: {what} ({WorkflowTimeline.Took(now - started)})", now);
        }
        catch (BmcStepException e) when (workflow.Attempt < options.Value.BmcAttempts)
        {
            var now = clock.GetUtcNow();
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.ClearOverride, $"Clearing the boot override: attempt {workflow.Attempt} failed: {e.Message} Trying again.", now);
            workflow.TryAgain(e.Message, now);
            return now + options.Value.BmcRetryDelay * (workflow.Attempt - 1);
        }
        catch (BmcStepException e)
        {
            // The OS is installed and the override was one-time: a machine is not failed for this; the warning stays on the timeline.
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.ClearOverride,
                $"Could not clear the boot override: {e.Message} It was a one-time override; check the BMC's boot settings if the machine PXE-boots again.", clock.GetUtcNow());
        }
        await DiskFirstBootOrderAsync(db, deployment, ct);
        var end = clock.GetUtcNow();
        if (deployment.Kind == DeploymentKind.Release)
        {
            workflow.Advance(ProvisioningStep.ReleasePowerOff, end);
            return end;
        }
        if (deployment.Profile?.RestartAfterInstall == true)
        {
            workflow.Advance(ProvisioningStep.Restart, end);
            return end;
        }
        return Deployed(db, workflow, deployment, end);
    }

    /// <summary>
    /// For a UEFI machine whose profile asks: a persistent disk-first boot order. Never fatal — the OS
    /// is installed either way; a BMC that cannot (no BootOptions, a refused PATCH) leaves a note.
    /// </summary>
    private async Task DiskFirstBootOrderAsync(AppDbContext db, Deployment deployment, CancellationToken ct)
    {
        var machine = deployment.Machine!;
        if (deployment.Kind == DeploymentKind.Release || deployment.Profile?.SetsDiskFirstBootOrder != true
            || !string.Equals(machine.BootMode, "UEFI", StringComparison.OrdinalIgnoreCase)) return;
        var started = clock.GetUtcNow();
        try
        {
            var what = await bmc.SetDiskFirstBootOrderAsync(machine, ct);
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.ClearOverride, $"{what} ({WorkflowTimeline.Took(clock.GetUtcNow() - started)})", clock.GetUtcNow());
        }
        catch (BmcStepException e)
        {
            logger.LogWarning("Deployment {Deployment}: could not set a disk-first boot order on machine {Machine}: {Reason}", deployment.Id, machine.Id, e.Message);
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.ClearOverride,
                $"Could not set a disk-first boot order: {e.Message} The machine still boots its disk, after whatever entries come first in its firmware's boot order; set the order in the BMC or with efibootmgr.",
                clock.GetUtcNow());
        }
    }

    /// <summary>Into the new OS: a best effort like clearing the override — the OS is installed either way.</summary>
    private async Task<DateTimeOffset?> RestartAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        try
        {
            var what = await bmc.RestartAsync(deployment.Machine!, deployment.RequestedById, ct);
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.Restart, $"{ProvisioningStep.Restart.Label()}: {what} ({WorkflowTimeline.Took(clock.GetUtcNow() - started)})", clock.GetUtcNow());
        }
        catch (BmcStepException e) when (workflow.Attempt < options.Value.BmcAttempts)
        {
            var now = clock.GetUtcNow();
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.Restart, $"Restarting: attempt {workflow.Attempt} failed: {e.Message} Trying again.", now);
            workflow.TryAgain(e.Message, now);
            return now + options.Value.BmcRetryDelay * (workflow.Attempt - 1);
        }
        catch (BmcStepException e)
        {
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.Restart,
                $"Could not restart the machine into the installed OS: {e.Message} Power it on from the machine page.", clock.GetUtcNow());
        }
        return Deployed(db, workflow, deployment, clock.GetUtcNow());
    }

    private static DateTimeOffset? Deployed(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, DateTimeOffset end)
    {
        // The run's one duration, the same the page, the board and the API show: from the request to the installer's "done".
        var took = (deployment.FinishedAt ?? end) - deployment.CreatedAt;
        WorkflowTimeline.Step(db, deployment, ProvisioningStep.Deployed, $"Deployed {deployment.Hostname}: installed in {WorkflowTimeline.Took(took)}", end);
        workflow.Advance(ProvisioningStep.Deployed, end);
        return null;
    }

    /// <summary>
    /// The queue: admitted runs go on to power off; others look again shortly. The decision and the
    /// move out of the queue commit together, under the admission lock.
    /// </summary>
    private async Task<DateTimeOffset?> AdmitAsync(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var waitingFor = await admission.DecideAsync(db, workflow, deployment.Machine!.Bmc?.Vendor, ct);
        var now = clock.GetUtcNow();
        DateTimeOffset? next;
        if (waitingFor is null)
        {
            WorkflowTimeline.Step(db, deployment, ProvisioningStep.Queued,
                workflow.QueueReason is null ? "Admitted at once" : $"Admitted after {WorkflowTimeline.Took(now - workflow.StepStartedAt)} in the queue", now);
            workflow.Advance(ProvisioningStep.PowerOff, now);
            next = now;
        }
        else
        {
            // The reason changes as the queue moves; the dashboard shows the latest, the timeline only the first.
            var first = workflow.QueueReason is null;
            if (workflow.StillQueued(waitingFor, now) && first) WorkflowTimeline.Step(db, deployment, ProvisioningStep.Queued, $"Queued: {waitingFor}", now);
            next = now + options.Value.QueuePollInterval;
        }
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            return now; // cancelled while queued: the next look sees it (RunStepAsync's own save reports the same conflict)
        }
        return next;
    }

    private void Fail(AppDbContext db, DeploymentWorkflow workflow, Deployment deployment, string reason, DateTimeOffset now)
    {
        WorkflowTimeline.Step(db, deployment, workflow.Step, reason, now);
        logger.LogWarning("Deployment {Deployment} failed at {Step}: {Reason}", deployment.Id, workflow.Step, reason);
        workflow.Fail(reason, now);
        deployment.Fail(reason, now);
        db.AuditEvents.Add(AuditEvent.Record(Actor.System, "deployment.failed", "machine", deployment.MachineId.ToString(),
            $"Deployment {deployment.Id} ({deployment.Hostname}) failed: {reason}", now));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
