using System.Net;
using System.Text.Json.Nodes;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Redfish;

public sealed class ResourceShapeTests
{
    private const string Range = "127.0.20.1";

    [Fact]
    public async Task EveryLinkedResourceOfEveryProfileIsSchemaShaped()
    {
        await using var lab = await TestLab.StartAsync(Range);
        foreach (var profile in VendorProfiles.All)
        {
            var bmc = lab.Bmc(profile.Name);
            var client = lab.Client(bmc);
            var seen = new HashSet<string>();
            var queue = new Queue<string>(["/redfish/v1"]);
            while (queue.Count > 0)
            {
                var uri = queue.Dequeue();
                if (!seen.Add(uri)) continue;
                var body = await client.GetJsonAsync(uri);
                Assert.Equal(uri, body["@odata.id"]?.GetValue<string>());
                Assert.Matches(@"^#\w+(\.v\d+_\d+_\d+)?\.\w+$", body["@odata.type"]?.GetValue<string>() ?? "");
                if (body["Members"] is JsonArray members)
                {
                    Assert.Equal(members.Count, body["Members@odata.count"]!.GetValue<int>());
                    Assert.EndsWith("Collection", body["@odata.type"]!.GetValue<string>());
                }
                else
                {
                    Assert.NotNull(body["Id"]);
                }
                foreach (var link in Links(body)) queue.Enqueue(link);
            }
            // Service root, sessions, accounts, systems, chassis, managers and their children.
            Assert.True(seen.Count > 15, $"{profile.Name}: only {seen.Count} resources reachable");
        }
    }

    [Fact]
    public async Task TheTreeHasEveryResourceTheIssueNames()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Bmc("dell");
        var system = bmc.Systems[0];
        var client = lab.Client(bmc);
        var s = await client.GetJsonAsync(system.RedfishPath);

        Assert.Equal(system.Facts.Uuid.ToString(), s["UUID"]!.GetValue<string>());
        Assert.Equal(system.Facts.SerialNumber, s["SerialNumber"]!.GetValue<string>());
        Assert.Equal(system.Facts.Manufacturer, s["Manufacturer"]!.GetValue<string>());
        Assert.Equal(system.Facts.Model, s["Model"]!.GetValue<string>());
        Assert.Equal(system.Facts.BiosVersion, s["BiosVersion"]!.GetValue<string>());
        Assert.Equal("Off", s["PowerState"]!.GetValue<string>());
        Assert.Equal(system.Facts.TotalCores, s["ProcessorSummary"]!["CoreCount"]!.GetValue<int>());
        Assert.Equal(system.Facts.Sockets, s["ProcessorSummary"]!["Count"]!.GetValue<int>());
        Assert.Equal(system.Facts.MemoryBytes / (double)(1L << 30), s["MemorySummary"]!["TotalSystemMemoryGiB"]!.GetValue<double>());
        Assert.Contains("Pxe", s["Boot"]!["BootSourceOverrideTarget@Redfish.AllowableValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(bmc.Profile.ResetTypes,
            s["Actions"]!["#ComputerSystem.Reset"]!["ResetType@Redfish.AllowableValues"]!.AsArray().Select(v => v!.GetValue<string>()));

        var nics = await client.GetJsonAsync($"{system.RedfishPath}/EthernetInterfaces");
        var macs = new List<string>();
        foreach (var m in nics["Members"]!.AsArray()) macs.Add((await client.GetJsonAsync(m!["@odata.id"]!.GetValue<string>()))["MACAddress"]!.GetValue<string>());
        Assert.Equal(system.Facts.Nics.Select(n => n.Mac), macs);

        var manager = await client.GetJsonAsync("/redfish/v1/Managers/iDRAC.Embedded.1/EthernetInterfaces/NIC.1");
        Assert.Equal(bmc.Mac, manager["MACAddress"]!.GetValue<string>());
        Assert.Equal(bmc.Address.ToString(), manager["IPv4Addresses"]![0]!["Address"]!.GetValue<string>());
    }

    [Fact]
    public async Task DrivesReportMediaTypeProtocolAndCapacity()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Bmc("lenovo");
        var system = bmc.Systems[0];
        var client = lab.Client(bmc);
        var drives = new List<JsonObject>();
        var storage = await client.GetJsonAsync($"{system.RedfishPath}/Storage");
        foreach (var c in storage["Members"]!.AsArray())
        {
            var controller = await client.GetJsonAsync(c!["@odata.id"]!.GetValue<string>());
            foreach (var d in controller["Drives"]!.AsArray()) drives.Add(await client.GetJsonAsync(d!["@odata.id"]!.GetValue<string>()));
        }
        Assert.Equal(system.Facts.Disks.Count, drives.Count);
        Assert.All(drives, d =>
        {
            Assert.Contains(d["MediaType"]!.GetValue<string>(), new[] { "SSD", "HDD" });
            Assert.Contains(d["Protocol"]!.GetValue<string>(), new[] { "NVMe", "SATA", "SAS" });
            Assert.True(d["CapacityBytes"]!.GetValue<long>() > 0);
        });
        Assert.Equal(system.Facts.Disks.Sum(d => d.CapacityBytes), drives.Sum(d => d["CapacityBytes"]!.GetValue<long>()));
    }

    [Fact]
    public async Task SimpleStorageProfileHasNoStorageResource()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Bmc("supermicro");
        var system = bmc.Systems[0];
        var client = lab.Client(bmc);
        var s = await client.GetJsonAsync(system.RedfishPath);
        Assert.Null(s["Storage"]);
        var simple = await client.GetJsonAsync($"{system.RedfishPath}/SimpleStorage/1");
        Assert.Equal(system.Facts.Disks.Count, simple["Devices"]!.AsArray().Count);
        using var storage = await client.GetAsync($"{system.RedfishPath}/Storage");
        Assert.Equal(HttpStatusCode.NotFound, storage.StatusCode);
    }

    [Fact]
    public async Task GpusAppearAsPcieDevicesOfTheirChassis()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { BmcCount = 12, Profiles = ["gigabyte"] });
        var system = lab.Fleet.Systems.First(s => s.Facts.Gpus.Count > 0);
        var client = lab.Client(system.Bmc);
        var s = await client.GetJsonAsync(system.RedfishPath);
        Assert.Equal(system.Facts.Gpus.Count, s["PCIeDevices@odata.count"]!.GetValue<int>());
        var devices = await client.GetJsonAsync($"/redfish/v1/Chassis/{system.Id}/PCIeDevices");
        Assert.Equal(system.Facts.Gpus.Count, devices["Members@odata.count"]!.GetValue<int>());
        var first = await client.GetJsonAsync(devices["Members"]![0]!["@odata.id"]!.GetValue<string>());
        Assert.Equal(system.Facts.Gpus[0].Model, first["Model"]!.GetValue<string>());
    }

    [Fact]
    public async Task BladeBmcManagesSeveralSystemsInOneEnclosure()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Bmc("blade");
        var client = lab.Client(bmc);
        var systems = await client.GetJsonAsync("/redfish/v1/Systems");
        Assert.Equal(4, systems["Members@odata.count"]!.GetValue<int>());
        var enclosure = await client.GetJsonAsync("/redfish/v1/Chassis/Enclosure");
        Assert.Equal("Enclosure", enclosure["ChassisType"]!.GetValue<string>());
        Assert.Equal(4, enclosure["Links"]!["Contains"]!.AsArray().Count);
    }

    [Fact]
    public async Task ServiceRootIsReadableWithoutCredentials()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var client = lab.Client(lab.Fleet.Bmcs[0], basicAuth: false);
        var root = await client.GetJsonAsync("/redfish/v1/");
        Assert.Equal("1.17.0", root["RedfishVersion"]!.GetValue<string>());
        using var systems = await client.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.Unauthorized, systems.StatusCode);
        Assert.Equal("Base.1.16.NoValidSession", await systems.RedfishMessageIdAsync());
    }

    [Fact]
    public async Task UnknownPathReturns404WithRedfishError()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var client = lab.Client(lab.Fleet.Bmcs[0]);
        using var response = await client.GetAsync("/redfish/v1/Systems/NoSuchSystem");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Base.1.16.ResourceMissingAtURI", await response.RedfishMessageIdAsync());
    }

    [Fact]
    public async Task WritingAReadOnlyResourceReturns405WithAllow()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var client = lab.Client(lab.Fleet.Bmcs[0]);
        using var response = await client.PostJsonAsync("/redfish/v1/Systems", new { });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
        using var get = await client.GetAsync($"{lab.Fleet.Bmcs[0].Systems[0].RedfishPath}/Actions/ComputerSystem.Reset");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    private static IEnumerable<string> Links(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    if (name == "@odata.id" && value is JsonValue v && v.GetValue<string>() is var uri && !uri.Contains('#')) yield return uri;
                    else foreach (var l in Links(value)) yield return l;
                }
                break;
            case JsonArray a:
                foreach (var item in a) foreach (var l in Links(item)) yield return l;
                break;
        }
    }
}
