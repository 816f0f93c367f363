using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// An immutable view of every machine's identity. Built by the refresher, never changed afterwards,
/// so requests read it without locks. Where two machines share an identity the lowest id wins,
/// matching the database lookup's ORDER BY "Id".
/// </summary>
internal sealed class Snapshot
{
    public IReadOnlyDictionary<long, BootEntry> ById { get; }
    /// <summary>Sighting key ("mac:..." / "uuid:...") to the machine an admin linked it to.</summary>
    public IReadOnlyDictionary<string, long> Linked { get; }
    private readonly Dictionary<string, long> _byMac = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, long> _byUuid = new();
    private readonly Dictionary<string, long> _bySerial = new(StringComparer.Ordinal);

    public Snapshot(Dictionary<long, BootEntry> byId, IReadOnlyDictionary<string, long> linked)
    {
        ById = byId;
        Linked = linked;
        foreach (var entry in byId.Values.OrderBy(e => e.MachineId))
        {
            foreach (var mac in entry.Macs) _byMac.TryAdd(mac, entry.MachineId);
            if (entry.Uuid is { } uuid) _byUuid.TryAdd(uuid, entry.MachineId);
            if (entry.Serial is { } serial) _bySerial.TryAdd(serial, entry.MachineId);
        }
    }

    /// <summary>
    /// Same order as the database lookup: a NIC's MAC, a linked MAC, the UUID, a linked UUID. Never the
    /// serial: placeholder and duplicate serials are common, so a serial alone does not say who asks
    /// (<see cref="FindBySerial"/> only explains the refusal).
    /// </summary>
    public long? Find(BootQuery query)
    {
        if (query.Mac is { } mac)
        {
            if (_byMac.TryGetValue(mac, out var id)) return id;
            if (Linked.TryGetValue("mac:" + mac, out id)) return id;
        }
        if (query.Uuid is { } uuid)
        {
            if (_byUuid.TryGetValue(uuid, out var id)) return id;
            if (Linked.TryGetValue("uuid:" + uuid.ToString("D"), out id)) return id;
        }
        return null;
    }

    /// <summary>The machine (lowest id) with this serial, to say why firmware that matched nothing else is not trusted.</summary>
    public long? FindBySerial(string? serial) => serial is not null && _bySerial.TryGetValue(serial, out var id) ? id : null;

    /// <summary>A new snapshot with these machines replaced (or removed when absent from <paramref name="rows"/>).</summary>
    public Snapshot With(IReadOnlySet<long> reread, IEnumerable<BootEntry> rows, IReadOnlyDictionary<string, long>? linked)
    {
        var byId = new Dictionary<long, BootEntry>(ById);
        foreach (var id in reread) byId.Remove(id);
        foreach (var row in rows) byId[row.MachineId] = row;
        return new Snapshot(byId, linked ?? Linked);
    }
}
