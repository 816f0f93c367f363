namespace Portal.Core.Redfish.Models;

public sealed record PCIeDevice : RedfishResource
{
    public string? Manufacturer { get; init; }
    public string? Model { get; init; }
    public string? DeviceType { get; init; }
    public string? SerialNumber { get; init; }
    public ODataLink? PCIeFunctions { get; init; }
    public PCIeDeviceLinks? Links { get; init; }
}

public sealed record PCIeDeviceLinks(IReadOnlyList<ODataLink>? PCIeFunctions);

public sealed record PCIeFunction : RedfishResource
{
    /// <summary>The PCI class as a name, e.g. DisplayController, NetworkController.</summary>
    public string? DeviceClass { get; init; }

    /// <summary>The PCI class code, e.g. 0x030200 (display / 3D controller).</summary>
    public string? ClassCode { get; init; }

    public string? VendorId { get; init; }
    public string? DeviceId { get; init; }
    public string? FunctionType { get; init; }
}
