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
    /// <summary>Events one run's token may post: a real installer sends tens; more is a flood.</summary>
    public const int MaxInstallerEvents = 1000;
    public const int MaxRecordedRefusals = 20;
    /// <summary>Stands for the token in the stored script and config (a token is URL-safe characters only, never this).</summary>
    public const string TokenPlaceholder = "[netboot-token]";

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
    /// <summary>SHA-256 of the netboot token (see <see cref="DeploymentTokens"/>): requests are looked up by it.</summary>
    public string TokenHash { get; private set; } = "";
    /// <summary>The token encrypted with Data Protection, to serve the stored script again; null for runs from before.</summary>
    public string? ProtectedToken { get; private set; }
    /// <summary>The plain token, only on the instance that issued it (never stored, never loaded).</summary>
    public string? IssuedToken { get; private set; }
    public DeploymentState State { get; private set; }
    public string? FailureReason { get; private set; }
    /// <summary>
    /// The installer script as served (null until the machine first asked for it), with the token
    /// replaced by <see cref="TokenPlaceholder"/>: the stored copy opens nothing; <see cref="ServedScript"/> puts it back.
    /// </summary>
    public string? IpxeScript { get; private set; }
    /// <summary>The kickstart / user-data / lab config as served, the token replaced like in <see cref="IpxeScript"/>.</summary>
    public string? Config { get; private set; }
    public DateTimeOffset? RenderedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    /// <summary>
    /// The address that fetched this run's installer script. The token (which only that script
    /// carries) fetches the config and posts events only from there, unless the profile allows any.
    /// </summary>
    public string? ScriptFetchedFrom { get; private set; }
    /// <summary>When the installer config (or NoCloud user-data) was first served: no installer runs before.</summary>
    public DateTimeOffset? ConfigFetchedAt { get; private set; }
    /// <summary>Installer events accepted so far (at most <see cref="MaxInstallerEvents"/>).</summary>
    public int InstallerEventCount { get; private set; }
    /// <summary>Whether the installer reported "pre" (it started), and "post" (its work, e.g. a wipe, is done).</summary>
    public bool InstallerStarted { get; private set; }
    public bool InstallerPostReported { get; private set; }
    /// <summary>Refused uses of the token; only the first <see cref="MaxRecordedRefusals"/> go on the timeline.</summary>
    public int RefusedTokenUses { get; private set; }
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
            State = DeploymentState.Active, CreatedAt = now, Kind = DeploymentKind.Install,
        };
        deployment.RenewToken();
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
            Hostname = hostname, State = DeploymentState.Active, CreatedAt = now, Kind = DeploymentKind.Release,
        };
        deployment.RenewToken();
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

    /// <summary>The installer script was served to <paramref name="address"/>: the first such address is the one the token is bound to.</summary>
    public void ScriptServedTo(string address)
    {
        EnsureActive();
        ScriptFetchedFrom ??= address;
    }

    /// <summary>
    /// Why a use of the token from <paramref name="address"/> is refused, or null when it is allowed:
    /// only the address that fetched the installer script holds the token legitimately (the script
    /// is the only thing that carries it), unless the profile lets installers change address.
    /// </summary>
    public string? TokenRefusal(string address)
    {
        if (Profile?.TokenBoundToAddress == false) return null;
        // Served before token binding existed (a run in flight at the upgrade): bound at its first use.
        if (ScriptFetchedFrom is null && IpxeScript is not null) ScriptFetchedFrom = address;
        if (ScriptFetchedFrom is null) return "no machine has fetched this run's installer script yet, so nobody can hold its token legitimately";
        return ScriptFetchedFrom == address ? null : $"the token is bound to {ScriptFetchedFrom}, which fetched the installer script";
    }

    public void ConfigServed(DateTimeOffset now)
    {
        EnsureActive();
        ConfigFetchedAt ??= now;
    }

    /// <summary>
    /// Why an installer event of <paramref name="phase"/> is refused now, or null when it is accepted.
    /// An installer only runs once its config was fetched; it says "pre" before "done"; a wipe is only
    /// done once its installer reported "post" (the disks are wiped). A faked "done" must not hand a
    /// machine to the next tenant with the last one's disk intact.
    /// </summary>
    public string? InstallerEventRefusal(string phase)
    {
        if (InstallerEventCount >= MaxInstallerEvents) return $"this run has already accepted {MaxInstallerEvents} installer events";
        if (ConfigFetchedAt is null) return "the installer config has not been fetched, so no installer of this run is running";
        if (phase is "done" or "post" && !InstallerStarted) return $"\"{phase}\" before \"pre\": the installer never said it started";
        if (phase == "done" && Kind == DeploymentKind.Release && !InstallerPostReported)
            return "a wipe is done only after its installer reported \"post\" (the disks are wiped)";
        return null;
    }

    /// <summary>Counts an accepted installer event (checked with <see cref="InstallerEventRefusal"/> first).</summary>
    public void InstallerEventAccepted(string phase)
    {
        InstallerEventCount++;
        if (phase == "pre") InstallerStarted = true;
        if (phase == "post") InstallerPostReported = true;
    }

    /// <summary>Counts a refused use of the token; true while it should still go on the timeline.</summary>
    public bool TokenUseRefused() => ++RefusedTokenUses <= MaxRecordedRefusals;

    /// <summary>
    /// Keeps the exact bytes of the first render, rendered with <paramref name="token"/>, which is
    /// stored as <see cref="TokenPlaceholder"/>; never replaced afterwards.
    /// </summary>
    public void Rendered(string ipxeScript, string config, string token, DateTimeOffset now)
    {
        EnsureActive();
        if (IpxeScript is not null) throw new InvalidOperationException($"Deployment {Id} was already rendered; the served files never change.");
        IpxeScript = ipxeScript.Replace(token, TokenPlaceholder, StringComparison.Ordinal);
        Config = config.Replace(token, TokenPlaceholder, StringComparison.Ordinal);
        RenderedAt = now;
    }

    /// <summary>The script byte for byte as first served (given the run's token).</summary>
    public string? ServedScript(string token) => IpxeScript?.Replace(TokenPlaceholder, token, StringComparison.Ordinal);

    /// <summary>The config byte for byte as first served (given the run's token).</summary>
    public string? ServedConfig(string token) => Config?.Replace(TokenPlaceholder, token, StringComparison.Ordinal);

    /// <summary>
    /// Issues a new token (at the start, or for a run from before tokens were encrypted): only its hash
    /// and, once saved, its encrypted copy are stored (<see cref="DeploymentTokens"/>). Returns it.
    /// </summary>
    public string RenewToken()
    {
        IssuedToken = NewToken();
        TokenHash = DeploymentTokens.Hash(IssuedToken);
        ProtectedToken = null;
        return IssuedToken;
    }

    internal void Sealed(string protectedToken) => ProtectedToken = protectedToken;

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
