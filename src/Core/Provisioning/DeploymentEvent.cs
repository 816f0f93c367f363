namespace Portal.Core.Provisioning;

/// <summary>Who wrote a timeline entry: netboot (a file was served), the installer (phone-home) or the workflow (a step).</summary>
public enum DeploymentEventKind { Netboot, Installer, Step }

/// <summary>One entry of a deployment's timeline. Append-only.</summary>
public sealed class DeploymentEvent
{
    public const int MaxMessageLength = 4000;

    public long Id { get; private set; }
    public long DeploymentId { get; private set; }
    public DateTimeOffset At { get; private set; }
    public DeploymentEventKind Kind { get; private set; }
    /// <summary>"script", "config", "pre", "progress", "done"...</summary>
    public string Phase { get; private set; } = "";
    public string Message { get; private set; } = "";
    public int? Percent { get; private set; }
    /// <summary>Hardware facts an installer reported, as the JSON object it sent (jsonb).</summary>
    public string? FactsJson { get; private set; }

    private DeploymentEvent() { }

    internal DeploymentEvent(Deployment deployment, DeploymentEventKind kind, string phase, string message, int? percent, string? factsJson, DateTimeOffset at)
    {
        DeploymentId = deployment.Id;
        Kind = kind;
        Phase = phase.Length > 32 ? phase[..32] : phase;
        Message = message.Length > MaxMessageLength ? message[..MaxMessageLength] : message;
        Percent = percent;
        FactsJson = factsJson;
        At = at;
    }
}
