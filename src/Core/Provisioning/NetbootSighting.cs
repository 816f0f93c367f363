using Portal.Core.Machines;

namespace Portal.Core.Provisioning;

/// <summary>
/// Firmware that asked for a boot script but matched no machine (or matched one only by a serial,
/// which is not trusted: see <see cref="Reason"/>). Kept per identity (MAC, else UUID) with first/last
/// seen and a count, so admins can see it and link it to a machine; a linked sighting's MAC or UUID
/// then resolves to that machine.
/// </summary>
public sealed class NetbootSighting
{
    public long Id { get; private set; }
    /// <summary>"mac:aa:bb:..." or "uuid:..."; one row per identity.</summary>
    public string Key { get; private set; } = "";
    public string? Mac { get; private set; }
    public Guid? Uuid { get; private set; }
    public string? Serial { get; private set; }
    public string? BuildArch { get; private set; }
    public string? Platform { get; private set; }
    public string? RemoteAddress { get; private set; }
    public DateTimeOffset FirstSeenAt { get; private set; }
    public DateTimeOffset LastSeenAt { get; private set; }
    public long Count { get; private set; }
    /// <summary>Why it got its local disk when that is not simply "unknown", e.g. a serial-only match.</summary>
    public string? Reason { get; private set; }
    public long? MachineId { get; private set; }
    public Machine? Machine { get; private set; }

    private NetbootSighting() { }

    public static string KeyFor(string? mac, Guid? uuid) =>
        mac is not null ? "mac:" + mac : uuid is { } u ? "uuid:" + u.ToString("D") : throw new ArgumentException("A sighting needs a MAC or a UUID.");

    public void LinkTo(Machine machine) { MachineId = machine.Id; Machine = machine; }

    public void Unlink() { MachineId = null; Machine = null; }
}
