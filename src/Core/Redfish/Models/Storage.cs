namespace Portal.Core.Redfish.Models;

public sealed record Storage : RedfishResource
{
    public IReadOnlyList<ODataLink>? Drives { get; init; }
    public IReadOnlyList<StorageController>? StorageControllers { get; init; }
}

public sealed record StorageController(string? Name, string? Manufacturer, string? Model, IReadOnlyList<string>? SupportedDeviceProtocols);

public sealed record Drive : RedfishResource
{
    public string? Model { get; init; }
    public string? Manufacturer { get; init; }
    public string? SerialNumber { get; init; }

    /// <summary>HDD, SSD, SMR.</summary>
    public string? MediaType { get; init; }

    /// <summary>NVMe, SATA, SAS, ...</summary>
    public string? Protocol { get; init; }

    public long? CapacityBytes { get; init; }
}

/// <summary>The pre-Storage schema some vendors still ship instead of (or beside) Storage.</summary>
public sealed record SimpleStorage : RedfishResource
{
    public string? UefiDevicePath { get; init; }
    public IReadOnlyList<SimpleStorageDevice>? Devices { get; init; }
}

public sealed record SimpleStorageDevice(string? Name, string? Manufacturer, string? Model, long? CapacityBytes, ResourceStatus? Status);
