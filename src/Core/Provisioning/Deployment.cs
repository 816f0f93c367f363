using System.Buffers.Text;
using System.Security.Cryptography;
using Portal.Core.Machines;

namespace Portal.Core.Provisioning;

public enum DeploymentState { Active, Finished, Failed, Cancelled }

/// <summary>An installation, or a release: power off (after an optional wipe, which boots a profile like an install) and back to Available.</summary>
public enum DeploymentKind { Install, Release }

/// <summary>
/// One provisioning run of a machine. The netboot token addresses its config and phone-home
/// events while it is active. The iPXE script and config are rendered once and kept exactly as
/// served, so a re-provision or a diagnosis sees the same bytes the machine saw.
/// </summary>
public sealed class Deployment
{
    public const int MaxFailureLength = 2000;

    public long Id { get; private set; }
    public long MachineId { get; private set; }
    public Machine? Machine { get; private set; }
    public string RequestedById { get; private set; } = "";
    public DeploymentKind Kind { get; private set; }
    /// <summary>What boots: the OS to install, or the wipe of a release; null for a release without a wipe.</summary>
    public long? ProfileId { get; private set; }
    public OsProfile? Profile { get; private set; }
    public string Hostname { get; private set; } = "";
    public List<string> SshKeys { get; private set; } = [];
    public string? RootPasswordHash { get; private set; }
    public Dictionary<string, string> Parameters { get; private set; } = [];
    public string Token { get; private set; } = "";
    public DeploymentState State { get; private set; }
    public string? FailureReason { get; private set; }
    /// <summary>The installer script as served (null until the machine first asked for it).</summary>
    public string? IpxeScript { get; private set; }
    /// <summary>The kickstart / user-data / lab config as served.</summary>
    public string? Config { get; private set; }
    public DateTimeOffset? RenderedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public List<DeploymentEvent> Events { get; private set; } = [];
    /// <summary>PostgreSQL's xmin: a "done" racing a "failed", or two first renders, and exactly one wins.</summary>
    public uint Version { get; private set; }

    private Deployment() { }

    /// <summary>Starts a run: the machine moves to Provisioning (see <see cref="Machines.Machine.StartProvisioning"/>).</summary>
    public static Deployment Start(Machine machine, string requestedById, OsProfile profile, string hostname,
        IEnumerable<string> sshKeys, string? rootPasswordHash, IReadOnlyDictionary<string, string> parameters, DateTimeOffset now)
    {
        machine.StartProvisioning(now);
        var deployment = new Deployment
        {
            MachineId = machine.Id, Machine = machine, RequestedById = requestedById, ProfileId = profile.Id, Profile = profile,
            Hostname = hostname, SshKeys = [.. sshKeys], RootPasswordHash = rootPasswordHash,
            Parameters = new Dictionary<string, string>(parameters, StringComparer.Ordinal),
            Token = NewToken(), State = DeploymentState.Active, CreatedAt = now, Kind = DeploymentKind.Install,
        };
        deployment.RecordEvent(DeploymentEventKind.Step, "started", $"Deployment of {profile.Name} as {hostname} started", null, null, now);
        return deployment;
    }

    /// <summary>
    /// Starts a release: the machine moves to Releasing. With a wipe profile the machine netboots it
    /// first (like an install, with its own token and timeline); then it is powered off and freed.
    /// </summary>
    public static Deployment StartRelease(Machine machine, string requestedById, OsProfile? wipe, string hostname, DateTimeOffset now)
    {
        machine.BeginRelease(now);
        var deployment = new Deployment
        {
            MachineId = machine.Id, Machine = machine, RequestedById = requestedById, ProfileId = wipe?.Id, Profile = wipe,
            Hostname = hostname, Token = NewToken(), State = DeploymentState.Active, CreatedAt = now, Kind = DeploymentKind.Release,
        };
        deployment.RecordEvent(DeploymentEventKind.Step, "started",
            wipe is null ? $"Release of {machine.Name} started (power off, no wipe)" : $"Release of {machine.Name} started: wipe with {wipe.Name}, then power off", null, null, now);
        return deployment;
    }

    /// <summary>
    /// Whether netboot hands this run's installer (or wipe) to the machine now: only while the run is
    /// active and the machine is in the state the run put it in. Everything else boots its local disk.
    /// </summary>
    public bool BootsInstaller => IsActive && Netboots
        && Machine?.State == (Kind == DeploymentKind.Install ? MachineState.Provisioning : MachineState.Releasing);

    /// <summary>Whether the machine netboots in this run (an install, or a release with a wipe).</summary>
    public bool Netboots => Profile is not null || ProfileId is not null;

    public bool IsActive => State == DeploymentState.Active;

    /// <summary>Appends to the timeline; only an active deployment has one that grows.</summary>
    public DeploymentEvent RecordEvent(DeploymentEventKind kind, string phase, string message, int? percent, string? factsJson, DateTimeOffset at)
    {
        EnsureActive();
        var e = new DeploymentEvent(this, kind, phase, message, percent, factsJson, at);
        Events.Add(e);
        return e;
    }

    /// <summary>Keeps the exact bytes of the first render; never replaced afterwards.</summary>
    public void Rendered(string ipxeScript, string config, DateTimeOffset now)
    {
        EnsureActive();
        if (IpxeScript is not null) throw new InvalidOperationException($"Deployment {Id} was already rendered; the served files never change.");
        IpxeScript = ipxeScript; Config = config; RenderedAt = now;
    }

    /// <summary>
    /// The installer reported success (or a release's last step is done): the token stops working.
    /// An install's machine is Deployed now; a release's machine stays Releasing until it is powered off.
    /// </summary>
    public void Finish(DateTimeOffset now)
    {
        EnsureActive();
        State = DeploymentState.Finished; FinishedAt = now;
        if (Kind == DeploymentKind.Install) Machine?.ProvisioningSucceeded(now);
    }

    /// <summary>
    /// The run failed. A release can also fail after its wipe reported done: it is not over until the
    /// machine is off, and a machine that could not be switched off is not offered to anyone.
    /// </summary>
    public void Fail(string reason, DateTimeOffset now)
    {
        if (!(IsActive || (Kind == DeploymentKind.Release && State == DeploymentState.Finished))) EnsureActive();
        State = DeploymentState.Failed; FinishedAt = now;
        FailureReason = reason.Length > MaxFailureLength ? reason[..MaxFailureLength] : reason;
        if (Kind == DeploymentKind.Install) Machine?.ProvisioningFailed(now);
        else Machine?.ReleaseFailed(now);
    }

    public void Cancel(DateTimeOffset now)
    {
        EnsureActive();
        State = DeploymentState.Cancelled; FinishedAt = now;
    }

    private void EnsureActive()
    {
        if (State != DeploymentState.Active)
            throw new InvalidOperationException($"Deployment {Id} is {State}; only an active deployment changes.");
    }

    // 32 random bytes, URL-safe: the token goes into kernel command lines and URLs (same form as Portal.Netboot's NetbootToken).
    private static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
