using System.Text.Json.Serialization;

namespace Portal.Core.Redfish.Models;

public sealed record ComputerSystem : RedfishResource
{
    [JsonPropertyName("UUID")]
    public string? Uuid { get; init; }

    public string? SerialNumber { get; init; }
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? SKU { get; init; }
    public string? HostName { get; init; }
    public string? SystemType { get; init; }
    public string? PowerState { get; init; }
    public string? BiosVersion { get; init; }
    public ProcessorSummary? ProcessorSummary { get; init; }
    public MemorySummary? MemorySummary { get; init; }
    public BootSettings? Boot { get; init; }
    public ComputerSystemActions? Actions { get; init; }
    public ODataLink? Processors { get; init; }
    public ODataLink? Memory { get; init; }
    public ODataLink? EthernetInterfaces { get; init; }
    public ODataLink? Storage { get; init; }
    public ODataLink? SimpleStorage { get; init; }
    public LinksOrCollection? PCIeDevices { get; init; }
    public ComputerSystemLinks? Links { get; init; }
}

public sealed record ComputerSystemLinks(IReadOnlyList<ODataLink>? Chassis, IReadOnlyList<ODataLink>? ManagedBy);

public sealed record ProcessorSummary(int? Count, int? CoreCount, int? LogicalProcessorCount, string? Model);

public sealed record MemorySummary(double? TotalSystemMemoryGiB);

public sealed record BootSettings
{
    public string? BootSourceOverrideTarget { get; init; }
    public string? BootSourceOverrideEnabled { get; init; }
    public string? BootSourceOverrideMode { get; init; }

    [JsonPropertyName("BootSourceOverrideTarget@Redfish.AllowableValues")]
    public IReadOnlyList<string>? AllowableTargets { get; init; }

    [JsonPropertyName("BootSourceOverrideEnabled@Redfish.AllowableValues")]
    public IReadOnlyList<string>? AllowableEnabled { get; init; }

    [JsonPropertyName("BootSourceOverrideMode@Redfish.AllowableValues")]
    public IReadOnlyList<string>? AllowableModes { get; init; }

    /// <summary>The persistent boot order: BootOptionReference values (e.g. "Boot0001"), first tried first.</summary>
    public IReadOnlyList<string>? BootOrder { get; init; }

    /// <summary>The BootOptionCollection that says what each reference in <see cref="BootOrder"/> is.</summary>
    public ODataLink? BootOptions { get; init; }
}

/// <summary>One entry of the firmware's boot menu (Redfish BootOption).</summary>
public sealed record BootOption : RedfishResource
{
    public string? BootOptionReference { get; init; }
    public string? DisplayName { get; init; }
    public string? UefiDevicePath { get; init; }
    /// <summary>The BootSource this entry stands for (Pxe, Hdd, UefiHttp, ...), where the BMC says.</summary>
    public string? Alias { get; init; }
    public bool? BootOptionEnabled { get; init; }
}

public sealed record ComputerSystemActions
{
    [JsonPropertyName("#ComputerSystem.Reset")]
    public ResetAction? Reset { get; init; }
}

public sealed record ResetAction
{
    [JsonPropertyName("target")]
    public string? Target { get; init; }

    [JsonPropertyName("ResetType@Redfish.AllowableValues")]
    public IReadOnlyList<string>? AllowableResetTypes { get; init; }

    [JsonPropertyName("@Redfish.ActionInfo")]
    public string? ActionInfo { get; init; }
}
