using Portal.Core.Bmcs;
using Portal.Core.Redfish;

namespace Portal.Core.Discovery.Inventory;

/// <summary>What one BMC told us: itself and every system it manages (several for a blade chassis).</summary>
public sealed record BmcInventory(BmcFacts Bmc, IReadOnlyList<SystemInventory> Systems);

public sealed record BmcFacts(
    string? Vendor,
    string? Model,
    string? FirmwareVersion,
    MacAddress? Mac,
    string? ManagerId,
    string? RedfishVersion,
    string? ServiceUuid);

public sealed record SystemInventory
{
    /// <summary>The system's @odata.id: where power and boot actions go.</summary>
    public required string ODataId { get; init; }

    /// <summary>SMBIOS UUID, normalised to lower case; the primary key for matching machines.</summary>
    public string? Uuid { get; init; }

    public string? SerialNumber { get; init; }
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public PowerState PowerState { get; init; }
    public string? BiosVersion { get; init; }

    /// <summary>UEFI or Legacy, as the boot settings report it.</summary>
    public string? BootMode { get; init; }

    /// <summary>x86_64, aarch64, ppc64le... (the names installers and iPXE use).</summary>
    public string? Architecture { get; init; }

    public required CpuFacts Cpu { get; init; }
    public long MemoryBytes { get; init; }
    public IReadOnlyList<DiskFacts> Disks { get; init; } = [];
    public IReadOnlyList<NicFacts> Nics { get; init; } = [];
    public IReadOnlyList<GpuFacts> Gpus { get; init; } = [];
}

public sealed record CpuFacts(string? Model, int Sockets, int Cores, int Threads);

public enum DiskMediaType
{
    Unknown,
    SSD,
    HDD,
}

public enum DiskProtocol
{
    Unknown,
    NVMe,
    SATA,
    SAS,
}

public sealed record DiskFacts(string? Model, DiskMediaType MediaType, DiskProtocol Protocol, long CapacityBytes, string? SerialNumber);

public sealed record NicFacts(MacAddress Mac, long? SpeedMbps, string? Name);

public sealed record GpuFacts(string? Model, string? Vendor);
