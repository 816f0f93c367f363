namespace Portal.Core.Power;

/// <summary>
/// One power request (On, ForceOff...) from the moment someone asks until the BMC reports the
/// state it should lead to, or the attempt fails with a reason. Kept as history and shown live.
/// </summary>
public sealed class PowerOperation
{
    public long Id { get; private set; }
    public long MachineId { get; private set; }
    public string Action { get; private set; } = "";
    /// <summary>The PowerState the action ends in (On or Off); polled for after the Reset.</summary>
    public string ExpectedState { get; private set; } = "";
    public PowerOperationStatus Status { get; private set; }
    public string? Error { get; private set; }
    public string? FinalPowerState { get; private set; }
    public string? RequestedById { get; private set; }
    public string RequestedByName { get; private set; } = "";
    public DateTimeOffset RequestedAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }

    private PowerOperation() { }

    public static PowerOperation Request(long machineId, PowerAction action, string? userId, string userName, DateTimeOffset now) => new()
    {
        MachineId = machineId, Action = action.ToString(), ExpectedState = PowerActions.ExpectedState(action),
        Status = PowerOperationStatus.Pending, RequestedById = userId, RequestedByName = userName, RequestedAt = now,
    };

    public bool IsFinished => Status is PowerOperationStatus.Succeeded or PowerOperationStatus.Failed;

    public void Start(DateTimeOffset now)
    {
        if (IsFinished) throw new InvalidOperationException($"Power operation {Id} already finished.");
        Status = PowerOperationStatus.Running;
        StartedAt ??= now;
    }

    public void Succeed(string powerState, DateTimeOffset now)
    {
        Status = PowerOperationStatus.Succeeded; FinalPowerState = powerState; CompletedAt = now; Error = null;
    }

    public void Fail(string error, string? powerState, DateTimeOffset now)
    {
        Status = PowerOperationStatus.Failed; FinalPowerState = powerState; CompletedAt = now;
        Error = error.Length > 1000 ? error[..1000] : error;
    }
}

public enum PowerOperationStatus { Pending, Running, Succeeded, Failed }

/// <summary>The power actions the portal offers (a subset of Redfish ResetType, same spelling).</summary>
public enum PowerAction { On, GracefulShutdown, ForceOff, ForceRestart, PowerCycle }

public static class PowerActions
{
    public static readonly IReadOnlyList<PowerAction> All = Enum.GetValues<PowerAction>();

    public static string ExpectedState(PowerAction action) => action is PowerAction.GracefulShutdown or PowerAction.ForceOff ? "Off" : "On";

    public static string Label(PowerAction action) => action switch
    {
        PowerAction.On => "Power on",
        PowerAction.GracefulShutdown => "Shut down",
        PowerAction.ForceOff => "Force off",
        PowerAction.ForceRestart => "Restart",
        PowerAction.PowerCycle => "Power cycle",
        _ => action.ToString(),
    };

    /// <summary>Actions the machine's BMC allows; all of them while the BMC has not said (the Reset call checks again).</summary>
    public static IReadOnlyList<PowerAction> AllowedFor(IReadOnlyList<string>? resetTypes) =>
        resetTypes is null ? All : All.Where(a => resetTypes.Contains(a.ToString(), StringComparer.Ordinal)).ToList();

    public static bool TryParse(string? text, out PowerAction action) =>
        Enum.TryParse(text, ignoreCase: false, out action) && Enum.IsDefined(action);
}
