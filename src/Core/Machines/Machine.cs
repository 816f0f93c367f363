namespace Portal.Core.Machines;

/// <summary>
/// One server, as its BMC describes it. Hardware facts are refreshed by every inventory; the
/// identity (id) stays, matched by SMBIOS UUID, then serial.
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
    /// <summary>PostgreSQL's xmin: two writers racing on one machine, exactly one wins.</summary>
    public uint Version { get; private set; }

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
        if (string.IsNullOrEmpty(Name)) Name = f.Serial ?? f.Uuid?.ToString() ?? f.RedfishId;
        // A machine whose BMC answered with a full inventory can be offered to users.
        if (State == MachineState.Discovered) State = MachineState.Available;
        if (changes.Count > 0 || Id == 0) UpdatedAt = now;
        return changes;
    }

    private static string Describe<T>(IEnumerable<T> items) => string.Join("; ", items);
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
