using System.Text.Json.Nodes;
using static Portal.Lab.Redfish.Json;

namespace Portal.Lab.Redfish;

/// <summary>ComputerSystem and what hangs below it, rendered from the system's ground-truth facts.</summary>
internal static class SystemResources
{
    private const string Root = ServiceResources.Root;

    public static JsonObject Systems(LabBmc bmc) =>
        Collection($"{Root}/Systems", "ComputerSystemCollection", "Computer System Collection",
            bmc.Systems.Select(s => s.RedfishPath));

    public static JsonObject System(LabSystem s)
    {
        var f = s.Facts;
        var (power, boot, bootOrder, assetTag) = s.Snapshot();
        var uri = s.RedfishPath;
        var o = Resource(uri, "#ComputerSystem.v1_20_0.ComputerSystem", s.Id, "System");
        o["SystemType"] = "Physical";
        o["Manufacturer"] = f.Manufacturer;
        o["Model"] = f.Model;
        o["SerialNumber"] = f.SerialNumber;
        o["UUID"] = f.Uuid.ToString();
        o["AssetTag"] = assetTag;
        o["BiosVersion"] = f.BiosVersion;
        o["HostName"] = "";
        o["PowerState"] = power.ToString();
        o["Status"] = Status(power == LabPowerState.On ? "Enabled" : "StandbyOffline");
        o["ProcessorSummary"] = new JsonObject
        {
            ["Count"] = f.Sockets,
            ["CoreCount"] = f.TotalCores,
            ["LogicalProcessorCount"] = f.TotalThreads,
            ["Model"] = f.Cpu.Model,
            ["Status"] = Status(),
        };
        o["MemorySummary"] = new JsonObject
        {
            ["TotalSystemMemoryGiB"] = f.MemoryBytes / (double)(1L << 30),
            ["Status"] = Status(),
        };
        o["Boot"] = new JsonObject
        {
            ["BootSourceOverrideEnabled"] = boot.Enabled,
            ["BootSourceOverrideEnabled@Redfish.AllowableValues"] = Strings(BootOverride.EnabledValues),
            ["BootSourceOverrideTarget"] = boot.Target,
            ["BootSourceOverrideTarget@Redfish.AllowableValues"] = Strings(BootOverride.Targets),
            ["BootSourceOverrideMode"] = boot.Mode,
            ["BootSourceOverrideMode@Redfish.AllowableValues"] = Strings(BootOverride.Modes),
        };
        if (s.Bmc.Profile.BootOrder)
        {
            o["Boot"]!["BootOrder"] = Strings(bootOrder);
            o["Boot"]!["BootOptions"] = Link($"{uri}/BootOptions");
        }
        o["Processors"] = Link($"{uri}/Processors");
        o["Memory"] = Link($"{uri}/Memory");
        o["EthernetInterfaces"] = Link($"{uri}/EthernetInterfaces");
        if (s.Bmc.Profile.SimpleStorageOnly) o["SimpleStorage"] = Link($"{uri}/SimpleStorage");
        else o["Storage"] = Link($"{uri}/Storage");
        if (f.Gpus.Count > 0)
        {
            // ComputerSystem.PCIeDevices (links into the chassis' PCIeDevices collection).
            o["PCIeDevices"] = Links(f.Gpus.Select(g => ChassisResources.PcieDeviceUri(s, g.Id)));
            o["PCIeDevices@odata.count"] = f.Gpus.Count;
        }
        o["Links"] = new JsonObject
        {
            ["Chassis"] = Links([ChassisResources.ChassisUri(s.Id)]),
            ["ManagedBy"] = Links([ManagerResources.ManagerUri(s.Bmc)]),
        };
        o["Actions"] = new JsonObject
        {
            ["#ComputerSystem.Reset"] = new JsonObject
            {
                ["target"] = $"{uri}/Actions/ComputerSystem.Reset",
                ["ResetType@Redfish.AllowableValues"] = Strings(s.Bmc.Profile.ResetTypes),
            },
        };
        return o;
    }

    public static JsonObject BootOptions(LabSystem s) =>
        Collection($"{s.RedfishPath}/BootOptions", "BootOptionCollection", "Boot Options",
            s.BootOptions.Select(b => $"{s.RedfishPath}/BootOptions/{b.Reference}"));

    // Like many BMCs, no Alias: what an entry is shows in its UEFI device path and name only.
    public static JsonObject? BootOption(LabSystem s, string id)
    {
        var b = s.BootOptions.FirstOrDefault(x => x.Reference == id);
        if (b is null) return null;
        var o = Resource($"{s.RedfishPath}/BootOptions/{id}", "#BootOption.v1_0_4.BootOption", id, b.DisplayName);
        o["BootOptionReference"] = b.Reference;
        o["DisplayName"] = b.DisplayName;
        o["UefiDevicePath"] = b.UefiDevicePath;
        o["BootOptionEnabled"] = true;
        return o;
    }

    public static JsonObject Processors(LabSystem s) =>
        Collection($"{s.RedfishPath}/Processors", "ProcessorCollection", "Processors Collection",
            Enumerable.Range(1, s.Facts.Sockets).Select(i => $"{s.RedfishPath}/Processors/CPU{i}"));

    public static JsonObject? Processor(LabSystem s, string id)
    {
        if (!id.StartsWith("CPU") || !int.TryParse(id[3..], out var n) || n < 1 || n > s.Facts.Sockets || id != $"CPU{n}") return null;
        var cpu = s.Facts.Cpu;
        var o = Resource($"{s.RedfishPath}/Processors/{id}", "#Processor.v1_18_0.Processor", id, $"Processor {n}");
        o["Socket"] = $"CPU {n}";
        o["ProcessorType"] = "CPU";
        o["ProcessorArchitecture"] = "x86";
        o["InstructionSet"] = "x86-64";
        o["Manufacturer"] = cpu.Manufacturer;
        o["Model"] = cpu.Model;
        o["MaxSpeedMHz"] = cpu.MaxSpeedMhz;
        o["TotalCores"] = cpu.Cores;
        o["TotalEnabledCores"] = cpu.Cores;
        o["TotalThreads"] = cpu.Threads;
        o["Status"] = Status();
        return o;
    }

    public static JsonObject Memory(LabSystem s) =>
        Collection($"{s.RedfishPath}/Memory", "MemoryCollection", "Memory Collection",
            s.Facts.Dimms.Select(d => $"{s.RedfishPath}/Memory/{d.Id}"));

    public static JsonObject? Dimm(LabSystem s, string id)
    {
        var d = s.Facts.Dimms.FirstOrDefault(x => x.Id == id);
        if (d is null) return null;
        var o = Resource($"{s.RedfishPath}/Memory/{id}", "#Memory.v1_17_0.Memory", id, d.Locator);
        o["DeviceLocator"] = d.Locator;
        o["MemoryType"] = "DRAM";
        o["MemoryDeviceType"] = d.DeviceType;
        o["CapacityMiB"] = d.CapacityBytes >> 20;
        o["OperatingSpeedMhz"] = d.SpeedMhz;
        o["Manufacturer"] = d.Manufacturer;
        o["PartNumber"] = d.PartNumber;
        o["SerialNumber"] = d.SerialNumber;
        o["Status"] = Status();
        return o;
    }

    public static JsonObject EthernetInterfaces(LabSystem s) =>
        Collection($"{s.RedfishPath}/EthernetInterfaces", "EthernetInterfaceCollection", "System Ethernet Interface Collection",
            s.Facts.Nics.Select(n => $"{s.RedfishPath}/EthernetInterfaces/{n.Id}"));

    public static JsonObject? EthernetInterface(LabSystem s, string id)
    {
        var n = s.Facts.Nics.FirstOrDefault(x => x.Id == id);
        if (n is null) return null;
        var o = Resource($"{s.RedfishPath}/EthernetInterfaces/{id}", "#EthernetInterface.v1_9_0.EthernetInterface", id, $"System Ethernet Interface {id}");
        o["Description"] = $"{n.Manufacturer} {n.Model}";
        o["MACAddress"] = n.Mac;
        o["PermanentMACAddress"] = n.Mac;
        o["SpeedMbps"] = n.SpeedMbps;
        o["FullDuplex"] = true;
        o["LinkStatus"] = "LinkUp";
        o["InterfaceEnabled"] = true;
        o["Status"] = Status();
        return o;
    }

    // Drives sit behind a SAS/SATA controller or, for NVMe, directly on the CPU's PCIe lanes.
    private static IEnumerable<(string Id, string Name, IReadOnlyList<DiskFacts> Drives)> Controllers(LabSystem s)
    {
        var nvme = s.Facts.Disks.Where(d => d.Protocol == "NVMe").ToList();
        var other = s.Facts.Disks.Where(d => d.Protocol != "NVMe").ToList();
        if (other.Count > 0) yield return ("RAID.Integrated.1-1", "Broadcom PERC H755 / MegaRAID 9560-8i", other);
        if (nvme.Count > 0) yield return ("NVMe.1", "NVMe Direct Attached", nvme);
    }

    public static JsonObject Storage(LabSystem s) =>
        Collection($"{s.RedfishPath}/Storage", "StorageCollection", "Storage Collection",
            Controllers(s).Select(c => $"{s.RedfishPath}/Storage/{c.Id}"));

    public static JsonObject? StorageController(LabSystem s, string id)
    {
        var found = Controllers(s).Where(c => c.Id == id).ToList();
        if (found.Count == 0) return null;
        var c = found[0];
        var uri = $"{s.RedfishPath}/Storage/{id}";
        var nvme = c.Drives[0].Protocol == "NVMe";
        var o = Resource(uri, "#Storage.v1_15_0.Storage", id, c.Name);
        o["StorageControllers"] = new JsonArray(new JsonObject
        {
            ["@odata.id"] = $"{uri}#/StorageControllers/0",
            ["MemberId"] = "0",
            ["Name"] = c.Name,
            ["Model"] = c.Name,
            ["SupportedDeviceProtocols"] = Strings(nvme ? ["NVMe"] : c.Drives.Select(d => d.Protocol).Distinct()),
            ["Status"] = Status(),
        });
        o["Drives"] = Links(c.Drives.Select(d => $"{uri}/Drives/{d.Id}"));
        o["Drives@odata.count"] = c.Drives.Count;
        o["Status"] = Status();
        return o;
    }

    public static JsonObject? Drive(LabSystem s, string storageId, string driveId)
    {
        var c = Controllers(s).Where(c => c.Id == storageId).Select(c => c.Drives).FirstOrDefault();
        var d = c?.FirstOrDefault(x => x.Id == driveId);
        if (d is null) return null;
        var o = Resource($"{s.RedfishPath}/Storage/{storageId}/Drives/{driveId}", "#Drive.v1_17_0.Drive", driveId, d.Model);
        o["Manufacturer"] = d.Manufacturer;
        o["Model"] = d.Model;
        o["SerialNumber"] = d.SerialNumber;
        o["CapacityBytes"] = d.CapacityBytes;
        o["MediaType"] = d.MediaType;
        o["Protocol"] = d.Protocol;
        if (d.RotationSpeedRpm is { } rpm) o["RotationSpeedRPM"] = rpm;
        o["Status"] = Status();
        return o;
    }

    public static JsonObject SimpleStorages(LabSystem s) =>
        Collection($"{s.RedfishPath}/SimpleStorage", "SimpleStorageCollection", "Simple Storage Collection",
            [$"{s.RedfishPath}/SimpleStorage/1"]);

    public static JsonObject? SimpleStorage(LabSystem s, string id)
    {
        if (id != "1") return null;
        var o = Resource($"{s.RedfishPath}/SimpleStorage/1", "#SimpleStorage.v1_3_1.SimpleStorage", "1", "Simple Storage Controller");
        o["Description"] = "System SATA/NVMe devices";
        o["Devices"] = new JsonArray(s.Facts.Disks.Select(d => (JsonNode?)new JsonObject
        {
            ["Name"] = d.Id,
            ["Manufacturer"] = d.Manufacturer,
            ["Model"] = d.Model,
            ["CapacityBytes"] = d.CapacityBytes,
            ["Status"] = Status(),
        }).ToArray());
        o["Status"] = Status();
        return o;
    }
}
