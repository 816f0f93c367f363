using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// Resolves the firmware's identity to a machine id, once per request: a MAC of any of the
/// machine's NICs, else a MAC linked from a sighting, else the SMBIOS UUID (machine, then linked
/// sighting). A serial alone never identifies a machine (placeholders like "To Be Filled By O.E.M."
/// and duplicates are common): a serial-only match comes back marked <see cref="Resolved.SerialOnly"/>
/// so the caller can refuse it and say why. NICs live in a jsonb list, which no plain index covers, so MACs are
/// remembered in memory: a remembered MAC is only a hint that the caller confirms in the same query
/// that loads the machine (<see cref="Forget"/> when it no longer holds), and a MAC not remembered
/// is looked up in the database. The answer is therefore never staler than the database.
/// </summary>
public sealed class MachineDirectory
{
    private readonly ConcurrentDictionary<string, long> _byMac = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _loaded;

    public async Task<Resolved?> ResolveAsync(AppDbContext db, BootQuery query, CancellationToken ct)
    {
        if (query.Mac is { } mac)
        {
            await EnsureLoadedAsync(db, ct);
            if (_byMac.TryGetValue(mac, out var hinted)) return new Resolved(hinted, mac);
            if (await ScanForMacAsync(db, mac, ct) is { } found)
            {
                _byMac[mac] = found;
                return new Resolved(found, mac);
            }
            if (await LinkedAsync(db, "mac:" + mac, ct) is { } linked) return new Resolved(linked, null);
        }
        if (query.Uuid is { } uuid)
        {
            var byUuid = await db.Machines.Where(m => m.Uuid == uuid).OrderBy(m => m.Id).Select(m => (long?)m.Id).FirstOrDefaultAsync(ct);
            if (byUuid is not null) return new Resolved(byUuid.Value, null);
            if (await LinkedAsync(db, "uuid:" + uuid.ToString("D"), ct) is { } linked) return new Resolved(linked, null);
        }
        if (query.Serial is { } serial)
        {
            var bySerial = await db.Machines.Where(m => m.Serial == serial).OrderBy(m => m.Id).Select(m => (long?)m.Id).FirstOrDefaultAsync(ct);
            if (bySerial is not null) return new Resolved(bySerial.Value, null, SerialOnly: true);
        }
        return null;
    }

    /// <summary>The remembered MAC turned out not to belong to that machine (NICs changed): look it up afresh next time.</summary>
    public void Forget(string mac, long machineId) => _byMac.TryRemove(new KeyValuePair<string, long>(mac, machineId));

    private async Task EnsureLoadedAsync(AppDbContext db, CancellationToken ct)
    {
        if (_loaded) return;
        await _loading.WaitAsync(ct);
        try
        {
            if (_loaded) return;
            var rows = await db.Database.SqlQuery<MacRow>($"""
                SELECT m."Id" AS "MachineId", lower(n->>'Mac') AS "Mac"
                  FROM "Machines" m CROSS JOIN LATERAL jsonb_array_elements(m."Nics") n
                 WHERE jsonb_typeof(m."Nics") = 'array' AND n->>'Mac' IS NOT NULL
                """).ToListAsync(ct);
            foreach (var row in rows) _byMac.TryAdd(row.Mac, row.MachineId);
            _loaded = true;
        }
        finally { _loading.Release(); }
    }

    private static async Task<long?> ScanForMacAsync(AppDbContext db, string mac, CancellationToken ct) =>
        (await db.Database.SqlQuery<long>($"""
            SELECT m."Id" AS "Value" FROM "Machines" m
             WHERE jsonb_typeof(m."Nics") = 'array' AND m."Nics" @> jsonb_build_array(jsonb_build_object('Mac', {mac}::text))
             ORDER BY m."Id" LIMIT 1
            """).ToListAsync(ct)).Cast<long?>().FirstOrDefault();

    private static Task<long?> LinkedAsync(AppDbContext db, string key, CancellationToken ct) =>
        db.NetbootSightings.Where(s => s.Key == key && s.MachineId != null).OrderBy(s => s.Id).Select(s => s.MachineId).FirstOrDefaultAsync(ct);

    /// <summary>
    /// A machine id and, when it came from the MAC hint, the MAC the caller must confirm. <paramref name="SerialOnly"/>:
    /// only the serial matched that machine, which is not trusted (never an installer).
    /// </summary>
    public sealed record Resolved(long MachineId, string? MacToConfirm, bool SerialOnly = false);

    private sealed record MacRow(long MachineId, string Mac);
}
