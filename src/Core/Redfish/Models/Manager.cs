using System.Text.Json.Serialization;

namespace Portal.Core.Redfish.Models;

public sealed record Manager : RedfishResource
{
    /// <summary>BMC, EnclosureManager, ManagementController, ...</summary>
    public string? ManagerType { get; init; }

    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? FirmwareVersion { get; init; }

    [JsonPropertyName("UUID")]
    public string? Uuid { get; init; }

    public ODataLink? EthernetInterfaces { get; init; }
}

public sealed record Chassis : RedfishResource
{
    public string? ChassisType { get; init; }
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? SerialNumber { get; init; }
    public ODataLink? PCIeDevices { get; init; }
    public ChassisLinks? Links { get; init; }
}

public sealed record ChassisLinks(IReadOnlyList<ODataLink>? ComputerSystems, IReadOnlyList<ODataLink>? ManagedBy);
