using System.Buffers.Text;
using System.Security.Cryptography;
using Portal.Core.Machines;

namespace Portal.Core.Provisioning;

public enum DeploymentState { Active, Finished, Failed, Cancelled }

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
    public long ProfileId { get; private set; }
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
            Token = NewToken(), State = DeploymentState.Active, CreatedAt = now,
        };
        deployment.RecordEvent(DeploymentEventKind.Step, "started", $"Deployment of {profile.Name} as {hostname} started", null, null, now);
        return deployment;
    }

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

    /// <summary>The installer reported success: the machine is Deployed and the token stops working.</summary>
    public void Finish(DateTimeOffset now)
    {
        EnsureActive();
        State = DeploymentState.Finished; FinishedAt = now;
        Machine?.ProvisioningSucceeded(now);
    }

    public void Fail(string reason, DateTimeOffset now)
    {
        EnsureActive();
        State = DeploymentState.Failed; FinishedAt = now;
        FailureReason = reason.Length > MaxFailureLength ? reason[..MaxFailureLength] : reason;
        Machine?.ProvisioningFailed(now);
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
