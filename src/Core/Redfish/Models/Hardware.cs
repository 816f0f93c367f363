using System.Text.Json.Serialization;

namespace Portal.Core.Redfish.Models;

public sealed record Processor : RedfishResource
{
    /// <summary>CPU, GPU, FPGA, Accelerator, ...</summary>
    public string? ProcessorType { get; init; }
    public string? ProcessorArchitecture { get; init; }
    public string? InstructionSet { get; init; }
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? Socket { get; init; }
    public int? TotalCores { get; init; }
    public int? TotalThreads { get; init; }
    public int? MaxSpeedMHz { get; init; }
}

public sealed record MemoryModule : RedfishResource
{
    public long? CapacityMiB { get; init; }
    public string? MemoryDeviceType { get; init; }
    public string? Manufacturer { get; init; }
    public string? PartNumber { get; init; }
    public int? OperatingSpeedMhz { get; init; }
}

public sealed record EthernetInterface : RedfishResource
{
    [JsonPropertyName("MACAddress")]
    public string? MacAddress { get; init; }

    [JsonPropertyName("PermanentMACAddress")]
    public string? PermanentMacAddress { get; init; }

    public long? SpeedMbps { get; init; }
    public string? LinkStatus { get; init; }
    public bool? InterfaceEnabled { get; init; }
    public IReadOnlyList<IPv4Address>? IPv4Addresses { get; init; }
}

public sealed record IPv4Address(string? Address, string? SubnetMask, string? AddressOrigin);
