namespace Portal.Lab;

/// <summary>
/// The ground truth of one simulated machine. The Redfish tree is rendered from it, so tests
/// can compare what a client inventoried with what is really there.
/// </summary>
public sealed record HardwareFacts
{
    public required Guid Uuid { get; init; }
    public required string SerialNumber { get; init; }
    public required string Manufacturer { get; init; }
    public required string Model { get; init; }
    public required string BiosVersion { get; init; }
    public required CpuFacts Cpu { get; init; }
    public required int Sockets { get; init; }
    public required IReadOnlyList<DimmFacts> Dimms { get; init; }
    public required IReadOnlyList<DiskFacts> Disks { get; init; }
    public required IReadOnlyList<NicFacts> Nics { get; init; }
    public required IReadOnlyList<GpuFacts> Gpus { get; init; }

    public string CpuModel => Cpu.Model;
    public int TotalCores => Sockets * Cpu.Cores;
    public int TotalThreads => Sockets * Cpu.Threads;
    public long MemoryBytes => Dimms.Sum(d => d.CapacityBytes);
}

/// <summary>One CPU package model; cores and threads are per socket.</summary>
public sealed record CpuFacts(string Manufacturer, string Model, int Cores, int Threads, int MaxSpeedMhz, string MemoryType = "DDR4", bool SingleSocketOnly = false);

public sealed record DimmFacts(string Id, string Locator, long CapacityBytes, string DeviceType, int SpeedMhz, string Manufacturer, string PartNumber, string SerialNumber);

/// <summary>A drive. MediaType is "SSD" or "HDD", Protocol "NVMe", "SATA" or "SAS" (Redfish enum spellings).</summary>
public sealed record DiskFacts(string Id, string Model, string Manufacturer, string MediaType, string Protocol, long CapacityBytes, string SerialNumber, int? RotationSpeedRpm);

/// <summary>A host network port; Mac as aa:bb:cc:dd:ee:ff.</summary>
public sealed record NicFacts(string Id, string Mac, int SpeedMbps, string Model, string Manufacturer);

public sealed record GpuFacts(string Id, string Manufacturer, string Model, long MemoryBytes, string SerialNumber, string VendorId, string DeviceId);
