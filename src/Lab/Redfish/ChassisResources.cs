using System.Text.Json.Nodes;
using static Portal.Lab.Redfish.Json;

namespace Portal.Lab.Redfish;

/// <summary>
/// Chassis: one per system (same id), plus the enclosure that holds the blades on a blade BMC.
/// GPUs are PCIeDevices of their system's chassis.
/// </summary>
internal static class ChassisResources
{
    private const string Root = ServiceResources.Root;
    public const string EnclosureId = "Enclosure";

    public static string ChassisUri(string id) => $"{Root}/Chassis/{id}";

    public static string PcieDeviceUri(LabSystem s, string deviceId) => $"{ChassisUri(s.Id)}/PCIeDevices/{deviceId}";

    private static bool IsBlade(LabBmc bmc) => bmc.Profile.SystemsPerBmc > 1;

    public static IEnumerable<string> ChassisIds(LabBmc bmc) =>
        (IsBlade(bmc) ? [EnclosureId] : Array.Empty<string>()).Concat(bmc.Systems.Select(s => s.Id));

    public static JsonObject Collection(LabBmc bmc) =>
        Json.Collection($"{Root}/Chassis", "ChassisCollection", "Chassis Collection", ChassisIds(bmc).Select(ChassisUri));

    public static JsonObject? Chassis(LabBmc bmc, string id)
    {
        if (id == EnclosureId && IsBlade(bmc)) return Enclosure(bmc);
        var s = bmc.FindSystem(id);
        if (s is null) return null;
        var o = Resource(ChassisUri(id), "#Chassis.v1_23_0.Chassis", id, IsBlade(bmc) ? $"Blade {id}" : "Computer System Chassis");
        o["ChassisType"] = IsBlade(bmc) ? "Blade" : "RackMount";
        o["Manufacturer"] = s.Facts.Manufacturer;
        o["Model"] = s.Facts.Model;
        o["SerialNumber"] = s.Facts.SerialNumber;
        o["PowerState"] = s.PowerState.ToString();
        o["Status"] = Status();
        o["PCIeDevices"] = Link($"{ChassisUri(id)}/PCIeDevices");
        var links = new JsonObject
        {
            ["ComputerSystems"] = Links([s.RedfishPath]),
            ["ManagedBy"] = Links([ManagerResources.ManagerUri(bmc)]),
        };
        if (IsBlade(bmc)) links["ContainedBy"] = Link(ChassisUri(EnclosureId));
        o["Links"] = links;
        return o;
    }

    private static JsonObject Enclosure(LabBmc bmc)
    {
        var o = Resource(ChassisUri(EnclosureId), "#Chassis.v1_23_0.Chassis", EnclosureId, "Blade Enclosure");
        o["ChassisType"] = "Enclosure";
        o["Manufacturer"] = bmc.Profile.Vendor;
        o["Model"] = bmc.Profile.Product;
        o["SerialNumber"] = bmc.SerialNumber;
        o["PowerState"] = "On";
        o["Status"] = Status();
        o["Links"] = new JsonObject
        {
            ["Contains"] = Links(bmc.Systems.Select(s => ChassisUri(s.Id))),
            ["ComputerSystems"] = Links(bmc.Systems.Select(s => s.RedfishPath)),
            ["ManagedBy"] = Links([ManagerResources.ManagerUri(bmc)]),
        };
        return o;
    }

    public static JsonObject? PcieDevices(LabBmc bmc, string chassisId)
    {
        var s = bmc.FindSystem(chassisId);
        if (s is null) return null;
        return Json.Collection($"{ChassisUri(chassisId)}/PCIeDevices", "PCIeDeviceCollection", "PCIe Device Collection",
            s.Facts.Gpus.Select(g => PcieDeviceUri(s, g.Id)));
    }

    public static JsonObject? PcieDevice(LabBmc bmc, string chassisId, string deviceId)
    {
        var s = bmc.FindSystem(chassisId);
        var g = s?.Facts.Gpus.FirstOrDefault(x => x.Id == deviceId);
        if (s is null || g is null) return null;
        var uri = PcieDeviceUri(s, deviceId);
        var o = Resource(uri, "#PCIeDevice.v1_11_0.PCIeDevice", deviceId, g.Model);
        o["Manufacturer"] = g.Manufacturer;
        o["Model"] = g.Model;
        o["SerialNumber"] = g.SerialNumber;
        o["DeviceType"] = "SingleFunction";
        o["PCIeInterface"] = new JsonObject { ["PCIeType"] = "Gen4", ["MaxPCIeType"] = "Gen4", ["LanesInUse"] = 16, ["MaxLanes"] = 16 };
        o["PCIeFunctions"] = Link($"{uri}/PCIeFunctions");
        o["Status"] = Status();
        return o;
    }

    public static JsonObject? PcieFunctions(LabBmc bmc, string chassisId, string deviceId) =>
        PcieDevice(bmc, chassisId, deviceId) is null
            ? null
            : Json.Collection($"{ChassisUri(chassisId)}/PCIeDevices/{deviceId}/PCIeFunctions", "PCIeFunctionCollection",
                "PCIe Function Collection", [$"{ChassisUri(chassisId)}/PCIeDevices/{deviceId}/PCIeFunctions/1"]);

    public static JsonObject? PcieFunction(LabBmc bmc, string chassisId, string deviceId, string functionId)
    {
        var s = bmc.FindSystem(chassisId);
        var g = s?.Facts.Gpus.FirstOrDefault(x => x.Id == deviceId);
        if (s is null || g is null || functionId != "1") return null;
        var o = Resource($"{PcieDeviceUri(s, deviceId)}/PCIeFunctions/1", "#PCIeFunction.v1_5_0.PCIeFunction", "1", $"{g.Model} function 0");
        o["FunctionId"] = 0;
        o["FunctionType"] = "Physical";
        // NVIDIA data-centre cards report as 3D controllers (0x0302), AMD Instinct as accelerators (0x1200).
        var nvidia = g.VendorId == "0x10de";
        o["DeviceClass"] = nvidia ? "DisplayController" : "ProcessingAccelerators";
        o["ClassCode"] = nvidia ? "0x030200" : "0x120000";
        o["VendorId"] = g.VendorId;
        o["DeviceId"] = g.DeviceId;
        o["Status"] = Status();
        o["Links"] = new JsonObject { ["PCIeDevice"] = Link(PcieDeviceUri(s, deviceId)) };
        return o;
    }
}
