namespace Portal.Core.Machines;

/// <summary>
/// One server, as its BMC describes it. Hardware facts are refreshed by every inventory; the
/// identity (id) stays, matched by SMBIOS UUID first and never by a serial alone when it could be
/// wrong (see <see cref="Discovery.Identity.SystemIdentities"/>).
/// </summary>
public sealed class Machine
{
    public long Id { get; private set; }
    public long BmcId { get; private set; }
    public Bmcs.Bmc? Bmc { get; private set; }
    /// <summary>The system's @odata.id on its BMC (a blade chassis BMC manages several).</summary>
    public string RedfishId { get; private set; } = "";
    public string Name { get; private set; } = "";
    public Guid? Uuid { get; private set; }
    public string? Serial { get; private set; }
    public string? Manufacturer { get; private set; }
    public string? Model { get; private set; }
    public string? Architecture { get; private set; }
    public string? BootMode { get; private set; }
    public string? BiosVersion { get; private set; }
    public string? CpuModel { get; private set; }
    public int CpuSockets { get; private set; }
    public int CpuCores { get; private set; }
    public int CpuThreads { get; private set; }
    public long MemoryBytes { get; private set; }
    public List<MachineDisk> Disks { get; private set; } = [];
    public List<MachineNic> Nics { get; private set; } = [];
    public List<MachineGpu> Gpus { get; private set; } = [];
    // Denormalised from the lists above so the catalogue can filter and sort with plain indexes.
    public int GpuCount { get; private set; }
    public long DiskTotalBytes { get; private set; }
    public long NicMaxSpeedMbps { get; private set; }
    public string PowerState { get; private set; } = "Unknown";
    public MachineState State { get; private set; } = MachineState.Discovered;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    /// <summary>
    /// Counts decisions about the machine (see <see cref="MachineRevisionInterceptor"/>): two people racing
    /// for it, exactly one wins; background observations (power, facts) never make either lose.
    /// </summary>
    public int Revision { get; private set; }

    private Machine() { }

    public static Machine Discovered(long bmcId, string redfishId, DateTimeOffset now) => new()
    {
        BmcId = bmcId, RedfishId = redfishId, CreatedAt = now, UpdatedAt = now,
    };

    /// <summary>Takes the facts of an inventory and returns what changed, for the audit log.</summary>
    public IReadOnlyList<string> ApplyFacts(MachineFacts f, long bmcId, DateTimeOffset now)
    {
        var changes = new List<string>();
        void Set<T>(string name, T current, T value, Action<T> assign)
        {
            if (EqualityComparer<T>.Default.Equals(current, value)) return;
            if (Id != 0) changes.Add($"{name}: {current?.ToString() ?? "—"} → {value?.ToString() ?? "—"}");
            assign(value);
        }
        Set("bmc", BmcId, bmcId, v => BmcId = v);
        Set("redfish id", RedfishId, f.RedfishId, v => RedfishId = v);
        Set("uuid", Uuid, f.Uuid, v => Uuid = v);
        Set("serial", Serial, f.Serial, v => Serial = v);
        Set("manufacturer", Manufacturer, f.Manufacturer, v => Manufacturer = v);
        Set("model", Model, f.Model, v => Model = v);
        Set("architecture", Architecture, f.Architecture, v => Architecture = v);
        Set("boot mode", BootMode, f.BootMode, v => BootMode = v);
        Set("BIOS", BiosVersion, f.BiosVersion, v => BiosVersion = v);
        Set("CPU", CpuModel, f.CpuModel, v => CpuModel = v);
        Set("sockets", CpuSockets, f.CpuSockets, v => CpuSockets = v);
        Set("cores", CpuCores, f.CpuCores, v => CpuCores = v);
        Set("threads", CpuThreads, f.CpuThreads, v => CpuThreads = v);
        Set("memory", MemoryBytes, f.MemoryBytes, v => MemoryBytes = v);
        Set("disks", Describe(Disks), Describe(f.Disks), _ => Disks = [.. f.Disks]);
        Set("NICs", Describe(Nics), Describe(f.Nics), _ => Nics = [.. f.Nics]);
        Set("GPUs", Describe(Gpus), Describe(f.Gpus), _ => Gpus = [.. f.Gpus]);
        GpuCount = Gpus.Count;
        DiskTotalBytes = Disks.Sum(d => d.CapacityBytes);
        NicMaxSpeedMbps = Nics.Count == 0 ? 0 : Nics.Max(n => n.SpeedMbps ?? 0);
        PowerState = f.PowerState;
        RefreshCatalogueColumns();
        if (string.IsNullOrEmpty(Name)) Name = f.Serial ?? f.Uuid?.ToString() ?? f.RedfishId;
        // A machine whose BMC answered with a full inventory can be offered to users.
        if (State == MachineState.Discovered) State = MachineState.Available;
        if (changes.Count > 0 || Id == 0) UpdatedAt = now;
        return changes;
    }

    private static string Describe<T>(IEnumerable<T> items) => string.Join("; ", items);

    // ---- Catalogue, reservation, maintenance and power (issue 5) ----
    // Every catalogue state change goes through these methods; they throw MachineStateException
    // on a transition that is not allowed, so callers never half-apply one.

    /// <summary>Free-form labels (rack, project, "loaner"...); the catalogue filters on them.</summary>
    public List<string> Tags { get; private set; } = [];
    // Denormalised from Gpus/Disks as text arrays so the catalogue filters and counts them with GIN indexes.
    public List<string> GpuModels { get; private set; } = [];
    /// <summary>"NVMe", "SSD" or "HDD" for each kind of disk present.</summary>
    public List<string> DiskKinds { get; private set; } = [];
    public string? ReservedById { get; private set; }
    public string? ReservedByName { get; private set; }
    public DateTimeOffset? ReservedAt { get; private set; }
    public DateTimeOffset? ReservedUntil { get; private set; }
    public string? MaintenanceReason { get; private set; }
    // Power observations are written with ExecuteUpdate (see Power/PowerObservations.cs): they must
    // never lose to, or make retry, a reservation racing on the same row.
    public DateTimeOffset? PowerCheckedAt { get; private set; }
    /// <summary>The ResetTypes the BMC advertises for this system; null until first read.</summary>
    public List<string>? ResetTypes { get; private set; }

    /// <summary>Someone holds the machine: it is not offered to others.</summary>
    public bool IsHeld => ReservedById is not null;

    public bool IsHeldBy(string? userId) => IsHeld && userId is not null && ReservedById == userId;

    public void Reserve(string userId, string userName, DateTimeOffset until, DateTimeOffset now)
    {
        if (State != MachineState.Available)
            throw new MachineStateException(this, IsHeld
                ? ReservedById == userId ? "you already hold it" : $"it is already reserved by {ReservedByName}"
                : State == MachineState.Maintenance ? "it is in maintenance" : $"it is {State}, not Available");
        if (until <= now) throw new MachineStateException(this, "the reservation would end before it starts");
        State = MachineState.Reserved;
        ReservedById = userId; ReservedByName = userName; ReservedAt = now; ReservedUntil = until;
        UpdatedAt = now;
    }

    public void Extend(string userId, DateTimeOffset until, DateTimeOffset now)
    {
        if (!IsHeldBy(userId)) throw new MachineStateException(this, "you do not hold it");
        if (until <= now || until <= ReservedUntil) throw new MachineStateException(this, "the new end must be later than the current one");
        ReservedUntil = until;
        UpdatedAt = now;
    }

    /// <summary>
    /// Gives a reserved machine back at once. A deployed or failed one may be running an OS and
    /// holding data: it goes through a release run instead (<see cref="BeginRelease"/>).
    /// </summary>
    public void Release(DateTimeOffset now)
    {
        if (!IsHeld || State != MachineState.Reserved)
            throw new MachineStateException(this, !IsHeld ? "nobody holds it"
                : State is MachineState.Deployed or MachineState.Failed ? $"it is {State}; it is released through a power-off (and optional wipe)"
                : $"it is {State}; wait until that finishes");
        ReservedById = null; ReservedByName = null; ReservedAt = null; ReservedUntil = null;
        State = MachineState.Available;
        UpdatedAt = now;
    }

    public bool IsExpired(DateTimeOffset now) => IsHeld && ReservedUntil <= now;

    /// <summary>
    /// The expiry job's transition for a lapsed reservation of a machine that was never installed.
    /// Deployed and failed ones get a release run from the job; a machine mid-run is left alone.
    /// </summary>
    public bool Expire(DateTimeOffset now)
    {
        if (!IsExpired(now) || State != MachineState.Reserved) return false;
        Release(now);
        return true;
    }

    /// <summary>A lapsed reservation whose machine needs a release run (power-off) rather than a plain release.</summary>
    public bool NeedsReleaseRun(DateTimeOffset now) => IsExpired(now) && State is MachineState.Deployed or MachineState.Failed;

    /// <summary>Operators take a machine out of the catalogue. A held machine must be released first so nobody loses it silently.</summary>
    public void EnterMaintenance(string? reason, DateTimeOffset now)
    {
        if (State == MachineState.Maintenance) throw new MachineStateException(this, "it is already in maintenance");
        if (IsHeld) throw new MachineStateException(this, $"it is reserved by {ReservedByName}; release it first");
        var text = string.IsNullOrWhiteSpace(reason) ? "maintenance" : reason.Trim();
        State = MachineState.Maintenance;
        MaintenanceReason = text.Length > 200 ? text[..200] : text;
        UpdatedAt = now;
    }

    public void LeaveMaintenance(DateTimeOffset now)
    {
        if (State != MachineState.Maintenance) throw new MachineStateException(this, "it is not in maintenance");
        State = MachineState.Available;
        MaintenanceReason = null;
        UpdatedAt = now;
    }

    /// <summary>Tags are stored lower-case, trimmed, unique and sorted so filters match exactly.</summary>
    public void SetTags(IEnumerable<string> tags) =>
        Tags = tags.Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length is > 0 and <= 64).Distinct().Order(StringComparer.Ordinal).ToList();

    private void RefreshCatalogueColumns()
    {
        GpuModels = Gpus.Select(g => g.Model ?? "Unknown GPU").Distinct().Order(StringComparer.Ordinal).ToList();
        DiskKinds = Disks.Select(d => d.Protocol == "NVMe" ? "NVMe" : d.MediaType is "SSD" or "HDD" ? d.MediaType : "Other")
            .Distinct().Order(StringComparer.Ordinal).ToList();
    }

    // ---- end catalogue ----

    // ---- Provisioning (netboot): the transitions a Deployment drives. ----

    /// <summary>A deployment starts: from Available or Reserved, or Deployed when re-installing.</summary>
    public void StartProvisioning(DateTimeOffset now)
    {
        if (State is not (MachineState.Available or MachineState.Reserved or MachineState.Deployed))
            throw new InvalidOperationException($"Machine {Id} is {State}; only an Available, Reserved or Deployed machine can be provisioned.");
        State = MachineState.Provisioning;
        UpdatedAt = now;
    }

    /// <summary>The installer reported done: from now on the machine boots its local disk.</summary>
    public void ProvisioningSucceeded(DateTimeOffset now)
    {
        if (State != MachineState.Provisioning)
            throw new InvalidOperationException($"Machine {Id} is {State}, not Provisioning.");
        State = MachineState.Deployed;
        UpdatedAt = now;
    }

    /// <summary>The installer reported failure; the reason is on the deployment's timeline.</summary>
    public void ProvisioningFailed(DateTimeOffset now)
    {
        if (State != MachineState.Provisioning)
            throw new InvalidOperationException($"Machine {Id} is {State}, not Provisioning.");
        State = MachineState.Failed;
        UpdatedAt = now;
    }

    // ---- Provisioning workflow (issue 7): cancel and retry. ----

    /// <summary>
    /// A run was cancelled: the holder keeps the machine (Reserved) to provision again or release.
    /// A half-written disk is harmless: the next run overwrites it, and a machine that is not
    /// Provisioning is only ever told to boot its local disk by netboot.
    /// </summary>
    public void ProvisioningCancelled(DateTimeOffset now)
    {
        if (State != MachineState.Provisioning)
            throw new MachineStateException(this, $"it is {State}, not Provisioning");
        State = IsHeld ? MachineState.Reserved : MachineState.Available;
        UpdatedAt = now;
    }

    /// <summary>Retry after a failed run: the machine goes back to its holder, ready for the next deployment to start.</summary>
    public void ClearProvisioningFailure(DateTimeOffset now)
    {
        if (State != MachineState.Failed) throw new MachineStateException(this, $"it is {State}, not Failed");
        State = IsHeld ? MachineState.Reserved : MachineState.Available;
        UpdatedAt = now;
    }

    /// <summary>A deployed (or failed) machine is given back: it is powered off, maybe wiped first, and nobody is offered it meanwhile.</summary>
    public void BeginRelease(DateTimeOffset now)
    {
        if (!IsHeld || State is not (MachineState.Deployed or MachineState.Failed))
            throw new MachineStateException(this, IsHeld ? $"it is {State}; only a deployed or failed machine is released through a power-off" : "nobody holds it");
        State = MachineState.Releasing;
        UpdatedAt = now;
    }

    /// <summary>The release run is done: the reservation ends and the machine is offered again.</summary>
    public void Released(DateTimeOffset now)
    {
        if (State != MachineState.Releasing) throw new MachineStateException(this, $"it is {State}, not Releasing");
        ReservedById = null; ReservedByName = null; ReservedAt = null; ReservedUntil = null;
        State = MachineState.Available;
        UpdatedAt = now;
    }

    /// <summary>
    /// The wipe or power-off failed (or was cancelled): the machine is not offered to anyone half-wiped
    /// or still running. It stays with its holder as Failed; releasing it again retries.
    /// </summary>
    public void ReleaseFailed(DateTimeOffset now)
    {
        if (State != MachineState.Releasing) throw new MachineStateException(this, $"it is {State}, not Releasing");
        State = MachineState.Failed;
        UpdatedAt = now;
    }

    // ---- end provisioning workflow ----
}

/// <summary>A transition the machine's rules do not allow; the message says why, in the user's terms.</summary>
public sealed class MachineStateException(Machine machine, string reason)
    : InvalidOperationException($"{machine.Name} cannot do that: {reason}.")
{
    public long MachineId { get; } = machine.Id;
    public string Reason { get; } = reason;
}

public enum MachineState { Discovered, Available, Reserved, Provisioning, Deployed, Releasing, Failed, Maintenance }

public sealed record MachineDisk(string? Model, string MediaType, string Protocol, long CapacityBytes, string? Serial);
public sealed record MachineNic(string Mac, long? SpeedMbps, string? Name);
public sealed record MachineGpu(string? Model, string? Vendor);

/// <summary>Hardware facts as read from a BMC, in the machine's own terms.</summary>
public sealed record MachineFacts(
    string RedfishId, Guid? Uuid, string? Serial, string? Manufacturer, string? Model, string? Architecture, string? BootMode,
    string? BiosVersion, string? CpuModel, int CpuSockets, int CpuCores, int CpuThreads, long MemoryBytes,
    IReadOnlyList<MachineDisk> Disks, IReadOnlyList<MachineNic> Nics, IReadOnlyList<MachineGpu> Gpus, string PowerState);
