using System.Text.Json;
using Portal.Core.Bmcs;
using Portal.Core.Machines;

namespace Portal.Core.Discovery.Identity;

/// <summary>
/// A system a BMC reports whose only link to a known machine is its serial, which is not enough to
/// decide (the UUIDs differ, or one is missing and the serial is a placeholder). Discovery leaves
/// the known machine where it is and adds nothing until an admin says, on the BMC list, whether it
/// is the same machine (move it to this BMC) or another one (add it). One row per system place
/// (BMC + Redfish id), refreshed by every inventory of that BMC and gone when it no longer holds.
/// The facts read are kept so either answer can be carried out without asking the BMC again.
/// </summary>
public sealed class IdentityConflict
{
    public long Id { get; private set; }
    /// <summary>The BMC reporting the system.</summary>
    public long BmcId { get; private set; }
    public Bmc? Bmc { get; private set; }
    public string RedfishId { get; private set; } = "";
    public string? Serial { get; private set; }
    public Guid? Uuid { get; private set; }
    /// <summary>The known machine with the same serial.</summary>
    public long MachineId { get; private set; }
    public Machine? Machine { get; private set; }
    /// <summary>Both sides in words, as they were when last seen.</summary>
    public string Summary { get; private set; } = "";
    /// <summary>The system's facts as last read (jsonb).</summary>
    public string FactsJson { get; private set; } = "{}";
    public DateTimeOffset FirstSeenAt { get; private set; }
    public DateTimeOffset LastSeenAt { get; private set; }

    private IdentityConflict() { }

    public static IdentityConflict Detected(long bmcId, MachineFacts facts, Machine machine, string summary, DateTimeOffset now)
    {
        var conflict = new IdentityConflict { BmcId = bmcId, RedfishId = facts.RedfishId, FirstSeenAt = now };
        conflict.Seen(facts, machine, summary, now);
        return conflict;
    }

    public void Seen(MachineFacts facts, Machine machine, string summary, DateTimeOffset now)
    {
        Serial = facts.Serial;
        Uuid = facts.Uuid;
        MachineId = machine.Id;
        Summary = summary;
        FactsJson = JsonSerializer.Serialize(facts);
        LastSeenAt = now;
    }

    public MachineFacts Facts => JsonSerializer.Deserialize<MachineFacts>(FactsJson)
        ?? throw new InvalidOperationException($"Identity conflict {Id} has no facts.");
}
