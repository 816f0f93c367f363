using System.Collections.Concurrent;
using Portal.Core.Machines;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// Every machine's netboot identity (NIC MACs, SMBIOS UUID, serial, linked sightings) with its state
/// and active deployment, in memory, so the per-machine script of a machine that is not being
/// provisioned is answered without touching the database. It only answers while it is known to be
/// current; otherwise the caller asks the database, exactly as before:
/// <list type="bullet">
/// <item>not live: no snapshot yet, or the LISTEN connection that announces every committed change
/// (triggers of migration 0009) is down, so changes could be missed;</item>
/// <item>a machine this process is saving a change to (see <see cref="BootDirectoryInterceptor"/>)
/// is suspect from before its save until a re-read that started after the commit is applied;</item>
/// <item>while an identity change (machine added or removed, NICs, UUID, serial, a sighting linked)
/// is being saved, every lookup is suspect, since any identity could resolve differently;</item>
/// <item>a machine with an active deployment is decided by the database, which checks that deployment
/// is still active and the machine still Provisioning before it hands out an installer; memory only
/// saves finding the machine (see <see cref="Lookup.Deploying"/>).</item>
/// </list>
/// Changes made elsewhere (another instance, psql) arrive as notifications at their commit and are
/// applied milliseconds later, long before a machine the workflow just powered on reaches iPXE.
/// </summary>
public sealed class BootDirectory
{
    // Null while the directory is not live. Replaced whole, so readers see one consistent snapshot.
    private Snapshot? _snapshot;
    private readonly ConcurrentDictionary<long, int> _suspect = new();
    private int _identitySuspect;

    internal BootDirectoryRefresher? Refresher { get; set; }

    internal Snapshot? Current => Volatile.Read(ref _snapshot);

    /// <summary>True once a snapshot is loaded and the change feed is connected.</summary>
    public bool IsLive => Volatile.Read(ref _snapshot) is not null;

    /// <summary>
    /// The answer from memory: <see cref="Lookup.Known"/> with a machine that has no active deployment,
    /// <see cref="Lookup.Deploying"/> with one that has,
    /// <see cref="Lookup.Unknown"/>, <see cref="Lookup.SerialOnly"/> with the machine whose serial alone
    /// matched (it gets its local disk whatever that machine's state, so its deployment does not matter),
    /// or <see cref="Lookup.AskDatabase"/> whenever memory cannot be sure.
    /// </summary>
    internal Lookup Resolve(BootQuery query, out BootEntry? entry)
    {
        entry = null;
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || Volatile.Read(ref _identitySuspect) > 0) return Lookup.AskDatabase;
        var id = snapshot.Find(query);
        if (id is null)
        {
            if (snapshot.FindBySerial(query.Serial) is { } bySerial && snapshot.ById.TryGetValue(bySerial, out entry)) return Lookup.SerialOnly;
            return Lookup.Unknown;
        }
        if (!snapshot.ById.TryGetValue(id.Value, out entry) || _suspect.ContainsKey(id.Value))
        {
            entry = null;
            return Lookup.AskDatabase;
        }
        return entry.DeploymentId is null ? Lookup.Known : Lookup.Deploying;
    }

    /// <summary>Called before a save in this process that changes these machines (or identities): they are asked of the database until settled.</summary>
    internal PendingChange Suspect(IReadOnlyCollection<long> machineIds, bool identity)
    {
        foreach (var id in machineIds) _suspect.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (identity) Interlocked.Increment(ref _identitySuspect);
        return new PendingChange(machineIds.ToArray(), identity);
    }

    /// <summary>
    /// The save is committed or rolled back: re-read these machines (and the linked sightings) and only
    /// then lift the suspicion. Without a refresher (host not started) it is lifted at once, since
    /// nothing is answered from memory then anyway.
    /// </summary>
    internal void Settle(PendingChange change, IEnumerable<long> refreshIds, bool sightings)
    {
        if (Refresher is { } refresher) refresher.Enqueue(new RefreshWork(refreshIds.Concat(change.MachineIds).ToHashSet(), sightings, Full: false, change));
        else Release(change);
    }

    internal void Release(PendingChange change)
    {
        if (Interlocked.Exchange(ref change.Released, 1) == 1) return;
        foreach (var id in change.MachineIds)
        {
            // Decrement, and drop the key when it reaches zero (only if nobody raised it meanwhile).
            while (_suspect.TryGetValue(id, out var n))
            {
                if (n <= 1 ? _suspect.TryRemove(new KeyValuePair<long, int>(id, n)) : _suspect.TryUpdate(id, n - 1, n)) break;
            }
        }
        if (change.Identity) Interlocked.Decrement(ref _identitySuspect);
    }

    /// <summary>The change feed is down: stop answering from memory until a full load after reconnecting.</summary>
    internal void GoDark() => Volatile.Write(ref _snapshot, null);

    internal void Publish(Snapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>Replaces <paramref name="expected"/> only if nothing else (going dark, a full load) happened since it was read.</summary>
    internal bool TryPublish(Snapshot expected, Snapshot next) =>
        Interlocked.CompareExchange(ref _snapshot, next, expected) == expected;

    /// <summary>
    /// <see cref="Lookup.Deploying"/>: the machine had an active deployment when last seen; the caller loads
    /// that deployment and asks the database afresh only when it is no longer active.
    /// </summary>
    internal enum Lookup { AskDatabase, Unknown, Known, SerialOnly, Deploying }

    /// <summary>One save's worth of suspicion, lifted exactly once.</summary>
    internal sealed class PendingChange(long[] machineIds, bool identity)
    {
        public long[] MachineIds { get; } = machineIds;
        public bool Identity { get; } = identity;
        public int Released;
    }
}

/// <summary>One machine as netboot sees it, with the bytes of its local-disk script ready to send.</summary>
internal sealed class BootEntry(long machineId, MachineState state, long? deploymentId, string[] macs, Guid? uuid, string? serial)
{
    public long MachineId { get; } = machineId;
    public MachineState State { get; } = state;
    public long? DeploymentId { get; } = deploymentId;
    public string[] Macs { get; } = macs;
    public Guid? Uuid { get; } = uuid;
    public string? Serial { get; } = serial;

    private byte[]? _localDisk;

    public byte[] LocalDiskScript => _localDisk ??= System.Text.Encoding.UTF8.GetBytes(BootScripts.LocalDisk($"machine {MachineId} is {State}, not being provisioned"));
}

/// <summary>What the refresher is asked to re-read; <see cref="Change"/> is released once it is applied.</summary>
internal sealed record RefreshWork(IReadOnlySet<long> MachineIds, bool Sightings, bool Full, BootDirectory.PendingChange? Change = null);
