namespace Portal.Netboot.Inputs;

/// <summary>Firmware flavour; decides how iPXE hands the initrd to the kernel.</summary>
public enum BootMode { Bios, Uefi }

/// <summary>
/// What netboot needs to know about one server. The host maps its Machine entity onto this so
/// rendering stays free of the database.
/// </summary>
public sealed record NetbootMachine(
    long Id,
    string Name,
    IReadOnlyList<string> Macs,
    Guid? Uuid,
    string? Serial,
    string Architecture,
    BootMode BootMode,
    HardwareFacts Facts);

/// <summary>
/// Hardware facts, as inventoried over Redfish or as reported by an installer's phone-home.
/// Every field is optional because each source knows only some of them.
/// </summary>
public sealed record HardwareFacts
{
    public string? CpuModel { get; init; }
    public int? CpuSockets { get; init; }
    public int? CpuCores { get; init; }
    public int? CpuThreads { get; init; }
    public long? MemoryBytes { get; init; }
    public IReadOnlyList<DiskFact> Disks { get; init; } = [];
    public IReadOnlyList<NicFact> Nics { get; init; } = [];
    public IReadOnlyList<GpuFact> Gpus { get; init; } = [];

    public static HardwareFacts None { get; } = new();
}

public sealed record DiskFact(string Name, long? SizeBytes = null, string? Model = null, string? Serial = null);

public sealed record NicFact(string Name, string Mac, int? SpeedMbps = null);

public sealed record GpuFact(string Model, string? Vendor = null);
