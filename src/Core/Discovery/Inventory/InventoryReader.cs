using Portal.Core.Bmcs;
using Portal.Core.Redfish;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Discovery.Inventory;

/// <summary>
/// Walks a logged-in BMC from its service root, following links only, and condenses what it
/// finds into <see cref="BmcInventory"/>. Stateless: one instance serves every BMC.
/// </summary>
public sealed class InventoryReader
{
    public async Task<BmcInventory> ReadAsync(RedfishClient client, CancellationToken ct = default)
    {
        var root = await client.ProbeAsync(ct).ConfigureAwait(false);
        var managerTask = ReadBmcAsync(client, root, ct);
        var systems = await client.GetMembersAsync<ComputerSystem>(root.Systems, ct).ConfigureAwait(false);
        var systemTasks = systems.Select(s => ReadSystemAsync(client, s, ct)).ToList();
        return new BmcInventory(await managerTask.ConfigureAwait(false), await Task.WhenAll(systemTasks).ConfigureAwait(false));
    }

    private static async Task<BmcFacts> ReadBmcAsync(RedfishClient client, ServiceRoot root, CancellationToken ct)
    {
        var managers = await client.GetMembersAsync<Manager>(root.Managers, ct).ConfigureAwait(false);
        // Some services also list enclosure or satellite controllers; the BMC is the one we talk to.
        var manager = managers.FirstOrDefault(m => m.ManagerType == "BMC") ?? managers.FirstOrDefault();
        MacAddress? mac = null;
        if (manager is not null)
        {
            var interfaces = await client.GetMembersAsync<EthernetInterface>(manager.EthernetInterfaces, ct).ConfigureAwait(false);
            mac = interfaces.OrderBy(i => i.InterfaceEnabled == false).Select(MacOf).FirstOrDefault(m => m is not null);
        }
        return new BmcFacts(
            manager?.Manufacturer ?? root.Vendor,
            manager?.Model ?? root.Product,
            manager?.FirmwareVersion,
            mac,
            manager?.Id,
            root.RedfishVersion,
            root.Uuid);
    }

    private static async Task<SystemInventory> ReadSystemAsync(RedfishClient client, ComputerSystem system, CancellationToken ct)
    {
        // Everything below is independent; the per-BMC limit decides how much really runs at once.
        var processorsTask = client.GetMembersAsync<Processor>(system.Processors, ct);
        // The summary's total is all Portal needs; walking every DIMM costs 8-32 requests per
        // system on a fragile BMC, so the modules are read only when the summary is missing.
        var memoryTask = system.MemorySummary?.TotalSystemMemoryGiB is > 0
            ? Task.FromResult<IReadOnlyList<MemoryModule>>([])
            : client.GetMembersAsync<MemoryModule>(system.Memory, ct);
        var nicsTask = client.GetMembersAsync<EthernetInterface>(system.EthernetInterfaces, ct);
        var disksTask = ReadDisksAsync(client, system, ct);
        var pcieGpusTask = ReadPcieGpusAsync(client, system, ct);

        var processors = (await processorsTask.ConfigureAwait(false)).Where(p => !p.IsAbsent).ToList();
        var cpus = processors.Where(p => p.ProcessorType is null or "CPU").ToList();
        var memory = await memoryTask.ConfigureAwait(false);
        var nics = await nicsTask.ConfigureAwait(false);

        // A GPU is often listed both as a PCIe device and as a GPU processor; count one source only.
        var gpus = await pcieGpusTask.ConfigureAwait(false);
        if (gpus.Count == 0)
            gpus = processors.Where(p => p.ProcessorType == "GPU").Select(p => new GpuFacts(p.Model, p.Manufacturer)).ToList();

        return new SystemInventory
        {
            ODataId = system.ODataId!,
            Uuid = system.Uuid?.Trim().ToLowerInvariant(),
            SerialNumber = system.SerialNumber?.Trim(),
            Manufacturer = system.Manufacturer,
            Model = system.Model,
            PowerState = Enum.TryParse<PowerState>(system.PowerState, out var power) ? power : PowerState.Unknown,
            BiosVersion = system.BiosVersion,
            BootMode = system.Boot?.BootSourceOverrideMode,
            Architecture = ArchitectureOf(cpus.FirstOrDefault()),
            Cpu = CpuOf(cpus, system.ProcessorSummary),
            MemoryBytes = MemoryOf(memory, system.MemorySummary),
            Disks = await disksTask.ConfigureAwait(false),
            Nics = nics.Select(n => MacOf(n) is { } mac ? new NicFacts(mac, n.SpeedMbps, n.Name ?? n.Id) : null)
                       .OfType<NicFacts>().ToList(),
            Gpus = gpus,
        };
    }

    private static CpuFacts CpuOf(List<Processor> cpus, ProcessorSummary? summary)
    {
        if (cpus.Count == 0)
        {
            return new CpuFacts(summary?.Model, summary?.Count ?? 0, summary?.CoreCount ?? 0, summary?.LogicalProcessorCount ?? 0);
        }
        var cores = cpus.Sum(p => p.TotalCores ?? 0);
        return new CpuFacts(
            cpus.Select(p => p.Model).FirstOrDefault(m => !string.IsNullOrWhiteSpace(m))?.Trim() ?? summary?.Model,
            cpus.Count,
            cores,
            cpus.Sum(p => p.TotalThreads ?? p.TotalCores ?? 0));
    }

    private static long MemoryOf(IReadOnlyList<MemoryModule> modules, MemorySummary? summary)
    {
        var fromModules = modules.Where(m => !m.IsAbsent).Sum(m => m.CapacityMiB ?? 0) * 1024L * 1024L;
        if (fromModules > 0)
            return fromModules;
        return summary?.TotalSystemMemoryGiB is { } gib ? (long)Math.Round(gib * 1024 * 1024 * 1024) : 0;
    }

    private static string? ArchitectureOf(Processor? cpu) => (cpu?.InstructionSet, cpu?.ProcessorArchitecture) switch
    {
        ("x86-64", _) => "x86_64",
        ("ARM-A64", _) => "aarch64",
        ("ARM-A32", _) => "arm",
        ("PowerISA", _) => "ppc64le",
        ("MIPS64", _) => "mips64",
        ("IA-64", _) => "ia64",
        (_, "x86") => "x86_64",
        (_, "ARM") => "aarch64",
        (_, "Power") => "ppc64le",
        (_, "MIPS") => "mips64",
        _ => null,
    };

    private static MacAddress? MacOf(EthernetInterface nic) =>
        MacAddress.TryParse(nic.PermanentMacAddress, out var permanent) ? permanent
        : MacAddress.TryParse(nic.MacAddress, out var current) ? current
        : null;

    /// <summary>Drives from Storage; SimpleStorage (the older schema) when Storage has none.</summary>
    private static async Task<IReadOnlyList<DiskFacts>> ReadDisksAsync(RedfishClient client, ComputerSystem system, CancellationToken ct)
    {
        var storages = await client.GetMembersAsync<Storage>(system.Storage, ct).ConfigureAwait(false);
        var driveLinks = storages.SelectMany(s => s.Drives ?? []).DistinctBy(l => l.ODataId).ToList();
        if (driveLinks.Count > 0)
        {
            var drives = await client.GetAllAsync<Drive>(driveLinks, ct).ConfigureAwait(false);
            return drives.Where(d => !d.IsAbsent)
                .Select(d => new DiskFacts(d.Model?.Trim(), MediaOf(d.MediaType, d.Protocol, d.Model), ProtocolOf(d.Protocol, d.Model), d.CapacityBytes ?? 0, d.SerialNumber))
                .ToList();
        }

        var simple = await client.GetMembersAsync<SimpleStorage>(system.SimpleStorage, ct).ConfigureAwait(false);
        return simple.SelectMany(s => s.Devices ?? [])
            .Where(d => !string.Equals(d.Status?.State, "Absent", StringComparison.OrdinalIgnoreCase) && d.CapacityBytes is > 0)
            .Select(d => new DiskFacts((d.Model ?? d.Name)?.Trim(), MediaOf(null, null, d.Model ?? d.Name), ProtocolOf(null, d.Model ?? d.Name), d.CapacityBytes ?? 0, null))
            .ToList();
    }

    private static DiskMediaType MediaOf(string? mediaType, string? protocol, string? model) => mediaType switch
    {
        "SSD" => DiskMediaType.SSD,
        "HDD" or "SMR" => DiskMediaType.HDD,
        // NVMe drives are flash; SimpleStorage has no media type, so the model name is all we have.
        _ when protocol == "NVMe" || Contains(model, "NVMe") || Contains(model, "SSD") => DiskMediaType.SSD,
        _ => DiskMediaType.Unknown,
    };

    private static DiskProtocol ProtocolOf(string? protocol, string? model) => protocol switch
    {
        "NVMe" => DiskProtocol.NVMe,
        "SATA" => DiskProtocol.SATA,
        "SAS" => DiskProtocol.SAS,
        _ when Contains(model, "NVMe") => DiskProtocol.NVMe,
        _ => DiskProtocol.Unknown,
    };

    private static bool Contains(string? text, string word) => text?.Contains(word, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// GPUs among the system's PCIe devices (or its chassis's, where newer services list them),
    /// recognised by their PCIe function's class.
    /// </summary>
    private static async Task<IReadOnlyList<GpuFacts>> ReadPcieGpusAsync(RedfishClient client, ComputerSystem system, CancellationToken ct)
    {
        var devices = await client.GetMembersAsync<PCIeDevice>(system.PCIeDevices, ct).ConfigureAwait(false);
        if (devices.Count == 0 && system.PCIeDevices is null && system.Links?.Chassis is { Count: 1 } chassisLinks)
        {
            // Only with a single chassis: a shared blade enclosure would attribute every blade's GPUs to each.
            var chassis = await client.GetAsync<Chassis>(chassisLinks[0], ct).ConfigureAwait(false);
            if (chassis?.PCIeDevices is not null)
                devices = await client.GetMembersAsync<PCIeDevice>(chassis.PCIeDevices, ct).ConfigureAwait(false);
        }

        var gpus = new List<GpuFacts>();
        foreach (var device in devices.Where(d => !d.IsAbsent))
        {
            if (await IsGpuAsync(client, device, ct).ConfigureAwait(false))
                gpus.Add(new GpuFacts(device.Model ?? device.Name, device.Manufacturer));
        }
        return gpus;
    }

    private static async Task<bool> IsGpuAsync(RedfishClient client, PCIeDevice device, CancellationToken ct)
    {
        IReadOnlyList<PCIeFunction> functions = device.PCIeFunctions is not null
            ? await client.GetMembersAsync<PCIeFunction>(device.PCIeFunctions, ct).ConfigureAwait(false)
            : await client.GetAllAsync<PCIeFunction>(device.Links?.PCIeFunctions ?? [], ct).ConfigureAwait(false);
        if (functions.Count > 0)
            return functions.Any(f => f.DeviceClass is "DisplayController" or "ProcessingAccelerators" || IsGpuClassCode(f.ClassCode));
        // No functions published: the name is the only clue left.
        return Contains(device.Name, "3D controller") || Contains(device.Name, "GPU") || Contains(device.Model, "GPU");
    }

    /// <summary>
    /// PCI class 0x03 (display: VGA and "3D controller", as NVIDIA data-centre cards report) or
    /// 0x12 (processing accelerator, as AMD Instinct cards report): both are what users mean by GPU.
    /// </summary>
    private static bool IsGpuClassCode(string? classCode)
    {
        var hex = classCode?.StartsWith("0x", StringComparison.OrdinalIgnoreCase) == true ? classCode[2..] : classCode;
        return hex is { Length: 6 } && (hex.StartsWith("03", StringComparison.Ordinal) || hex.StartsWith("12", StringComparison.Ordinal));
    }
}
