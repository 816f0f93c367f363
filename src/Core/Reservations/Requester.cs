using Portal.Core.Auditing;

namespace Portal.Core.Reservations;

/// <summary>Who asks, and whether they may act on machines held by others (Operators and Admins).</summary>
public sealed record Requester(string UserId, string Name, bool IsOperator, string? RemoteAddress = null)
{
    /// <summary>Portal itself (the reservation expiry job): may act like an Operator, audited as "system".</summary>
    public static readonly Requester System = new("", "system", IsOperator: true);

    public Actor Actor => UserId.Length == 0 ? Actor.System : new(UserId, Name, RemoteAddress);

    public bool MayControl(Machines.Machine machine) => IsOperator || machine.IsHeldBy(UserId);
}

public enum OutcomeStatus { Done, NotFound, Forbidden, Conflict, Invalid }

/// <summary>What became of a request on machines, with a message fit to show the person who asked.</summary>
public sealed record Outcome(OutcomeStatus Status, string Message, IReadOnlyList<MachineConflict>? Conflicts = null)
{
    public bool Succeeded => Status == OutcomeStatus.Done;
    public static Outcome Done(string message) => new(OutcomeStatus.Done, message);
    public static Outcome NotFound(string message = "No such machine.") => new(OutcomeStatus.NotFound, message);
    public static Outcome Forbidden(string message) => new(OutcomeStatus.Forbidden, message);
    public static Outcome Invalid(string message) => new(OutcomeStatus.Invalid, message);
}

public sealed record MachineConflict(long MachineId, string Name, string Reason);
