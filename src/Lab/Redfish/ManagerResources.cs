using System.Text.Json.Nodes;
using static Portal.Lab.Redfish.Json;

namespace Portal.Lab.Redfish;

/// <summary>The BMC itself as a Redfish Manager, with the NIC whose MAC the vendor list is keyed by.</summary>
internal static class ManagerResources
{
    private const string Root = ServiceResources.Root;

    public static string ManagerUri(LabBmc bmc) => $"{Root}/Managers/{bmc.Profile.ManagerId}";

    public static string NicId(LabBmc bmc) => bmc.Profile == VendorProfiles.Dell ? "NIC.1" : "1";

    public static JsonObject Collection(LabBmc bmc) =>
        Json.Collection($"{Root}/Managers", "ManagerCollection", "Manager Collection", [ManagerUri(bmc)]);

    public static JsonObject? Manager(LabBmc bmc, string id)
    {
        if (id != bmc.Profile.ManagerId) return null;
        var uri = ManagerUri(bmc);
        var o = Resource(uri, "#Manager.v1_19_0.Manager", id, "Manager");
        o["ManagerType"] = "BMC";
        o["Manufacturer"] = bmc.Profile.Vendor;
        o["Model"] = bmc.Profile.ManagerModel;
        o["FirmwareVersion"] = bmc.Profile.FirmwareVersion;
        o["UUID"] = bmc.ServiceUuid.ToString();
        o["PowerState"] = "On";
        o["Status"] = Status();
        o["EthernetInterfaces"] = Link($"{uri}/EthernetInterfaces");
        o["Links"] = new JsonObject
        {
            ["ManagerForServers"] = Links(bmc.Systems.Select(s => s.RedfishPath)),
            ["ManagerForChassis"] = Links(ChassisResources.ChassisIds(bmc).Select(ChassisResources.ChassisUri)),
        };
        return o;
    }

    public static JsonObject? EthernetInterfaces(LabBmc bmc, string id) =>
        id != bmc.Profile.ManagerId
            ? null
            : Json.Collection($"{ManagerUri(bmc)}/EthernetInterfaces", "EthernetInterfaceCollection",
                "Manager Ethernet Interface Collection", [$"{ManagerUri(bmc)}/EthernetInterfaces/{NicId(bmc)}"]);

    public static JsonObject? EthernetInterface(LabBmc bmc, string id, string nicId)
    {
        if (id != bmc.Profile.ManagerId || nicId != NicId(bmc)) return null;
        var o = Resource($"{ManagerUri(bmc)}/EthernetInterfaces/{nicId}", "#EthernetInterface.v1_9_0.EthernetInterface", nicId, "Manager Ethernet Interface");
        o["MACAddress"] = bmc.Mac;
        o["PermanentMACAddress"] = bmc.Mac;
        o["HostName"] = bmc.HostName;
        o["SpeedMbps"] = 1000;
        o["FullDuplex"] = true;
        o["LinkStatus"] = "LinkUp";
        o["InterfaceEnabled"] = true;
        o["IPv4Addresses"] = new JsonArray(new JsonObject
        {
            ["Address"] = bmc.Address.ToString(),
            ["SubnetMask"] = "255.0.0.0",
            ["AddressOrigin"] = "DHCP",
            ["Gateway"] = "127.0.0.1",
        });
        o["Status"] = Status();
        return o;
    }
}
