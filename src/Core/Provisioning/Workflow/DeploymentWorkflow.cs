namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// Where a deployment's run stands: the current step, its attempt, when it started and when it
/// gives up. Kept in the database so a restarted Portal resumes the run at the step it was in;
/// a step is only marked done after its effect happened, and every BMC step checks the BMC's
/// state before acting, so re-running a step after a crash is harmless.
/// </summary>
public sealed class DeploymentWorkflow
{
    public const int MaxErrorLength = 2000;

    public long DeploymentId { get; private set; }
    public ProvisioningStep Step { get; private set; }
    /// <summary>1 for the first try of the current step.</summary>
    public int Attempt { get; private set; }
    public DateTimeOffset StepStartedAt { get; private set; }
    /// <summary>When a waiting step gives up; null for BMC steps (they have their own request timeouts).</summary>
    public DateTimeOffset? Deadline { get; private set; }
    public string? LastError { get; private set; }
    /// <summary>While Queued: what the run waits for ("3 of 3 running for vendor Dell"), for the timeline and dashboard.</summary>
    public string? QueueReason { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    /// <summary>PostgreSQL's xmin: a cancel racing a step, and exactly one wins (the loser re-reads).</summary>
    public uint Version { get; private set; }

    private DeploymentWorkflow() { }

    /// <summary>
    /// A run that netboots starts in the queue (admission control); a release without a wipe only
    /// powers off, which no boot storm is made of, so it starts right there.
    /// </summary>
    public static DeploymentWorkflow Begin(Deployment deployment, DateTimeOffset now) => new()
    {
        DeploymentId = deployment.Id, Attempt = 1, StepStartedAt = now, CreatedAt = now, UpdatedAt = now,
        Step = deployment.Netboots ? ProvisioningStep.Queued : ProvisioningStep.ReleasePowerOff,
    };

    /// <summary>Still waiting for admission; the reason is kept only when it changed (so saving is cheap and the timeline quiet).</summary>
    public bool StillQueued(string reason, DateTimeOffset now)
    {
        if (Step != ProvisioningStep.Queued) throw new InvalidOperationException($"Deployment {DeploymentId} is not queued ({Step}).");
        reason = reason.Length > 500 ? reason[..500] : reason;
        if (reason == QueueReason) return false;
        QueueReason = reason; UpdatedAt = now;
        return true;
    }

    public bool IsFinished => Step.IsTerminal();

    /// <summary>The current step is done: the next one starts now, with a deadline when it waits for the machine.</summary>
    public void Advance(ProvisioningStep next, DateTimeOffset now, TimeSpan? timeout = null)
    {
        EnsureRunning();
        if (next <= Step) throw new InvalidOperationException($"Deployment {DeploymentId} cannot go back from {Step} to {next}.");
        Step = next; Attempt = 1; StepStartedAt = now; LastError = null; QueueReason = null; UpdatedAt = now;
        Deadline = timeout is { } t ? now + t : null;
    }

    /// <summary>The step failed in a way worth another try (a BMC that was briefly unwell).</summary>
    public void TryAgain(string error, DateTimeOffset now)
    {
        EnsureRunning();
        Attempt++; LastError = Trim(error); UpdatedAt = now;
    }

    public void Fail(string reason, DateTimeOffset now)
    {
        EnsureRunning();
        LastError = Trim(reason); Step = ProvisioningStep.Failed; Deadline = null; UpdatedAt = now;
    }

    public void Cancel(DateTimeOffset now)
    {
        EnsureRunning();
        Step = ProvisioningStep.Cancelled; Deadline = null; UpdatedAt = now;
    }

    private void EnsureRunning()
    {
        if (IsFinished) throw new InvalidOperationException($"The run of deployment {DeploymentId} already ended ({Step}).");
    }

    private static string Trim(string text) => text.Length > MaxErrorLength ? text[..MaxErrorLength] : text;
}
