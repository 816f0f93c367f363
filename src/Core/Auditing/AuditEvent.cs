namespace Portal.Core.Auditing;

/// <summary>Who did what to which object, when. Append-only.</summary>
public sealed class AuditEvent
{
    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    /// <summary>User id, or null for the system (jobs, start-up).</summary>
    public string? ActorId { get; private set; }
    /// <summary>Who it was as shown then (email or "system"), kept even if the user is deleted.</summary>
    public string ActorName { get; private set; } = "";
    /// <summary>Dotted verb, e.g. "user.login", "user.role-added".</summary>
    public string Action { get; private set; } = "";
    public string TargetType { get; private set; } = "";
    public string? TargetId { get; private set; }
    public string Summary { get; private set; } = "";
    public string? RemoteAddress { get; private set; }

    private AuditEvent() { }

    public static AuditEvent Record(Actor actor, string action, string targetType, string? targetId, string summary, DateTimeOffset at) => new()
    {
        At = at,
        ActorId = actor.UserId,
        ActorName = actor.Name,
        Action = action,
        TargetType = targetType,
        TargetId = targetId,
        Summary = summary.Length > 1000 ? summary[..1000] : summary,
        RemoteAddress = actor.RemoteAddress,
    };
}

/// <summary>Who is acting: a signed-in user, an API token's owner, or the system.</summary>
public sealed record Actor(string? UserId, string Name, string? RemoteAddress = null)
{
    public static readonly Actor System = new(null, "system");
}
