using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Inputs;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Serving;

/// <summary>The database's entities as rendering sees them (rendering itself stays free of the database).</summary>
public static class NetbootInputs
{
    public static NetbootMachine ToNetboot(this Machine m) => new(
        m.Id,
        m.Name,
        m.Nics.Select(n => n.Mac).ToList(),
        m.Uuid,
        m.Serial,
        string.IsNullOrWhiteSpace(m.Architecture) ? "x86_64" : m.Architecture,
        // Redfish reports BootSourceOverrideMode as "UEFI" or "Legacy".
        m.BootMode?.Contains("uefi", StringComparison.OrdinalIgnoreCase) == true ? BootMode.Uefi : BootMode.Bios,
        new HardwareFacts
        {
            CpuModel = m.CpuModel,
            CpuSockets = m.CpuSockets,
            CpuCores = m.CpuCores,
            CpuThreads = m.CpuThreads,
            MemoryBytes = m.MemoryBytes,
            Disks = m.Disks.Select((d, i) => new DiskFact($"disk{i}", d.CapacityBytes, d.Model, d.Serial)).ToList(),
            Nics = m.Nics.Select((n, i) => new NicFact(n.Name ?? $"nic{i}", n.Mac, n.SpeedMbps is { } s ? (int)Math.Min(s, int.MaxValue) : null)).ToList(),
            Gpus = m.Gpus.Select(g => new GpuFact(g.Model ?? "unknown", g.Vendor)).ToList(),
        });

    public static NetbootProfile ToNetboot(this OsProfile p) => new(
        p.Name,
        p.InstallerKind switch
        {
            OsInstallerKind.Kickstart => InstallerKind.Kickstart,
            OsInstallerKind.Autoinstall => InstallerKind.Autoinstall,
            _ => InstallerKind.Generic,
        },
        p.KernelUrl,
        p.InitrdUrls,
        p.KernelArgs,
        p.TemplateName,
        p.DefaultParameters);

    public static OsInstallerKind ToCore(this InstallerKind kind) => kind switch
    {
        InstallerKind.Kickstart => OsInstallerKind.Kickstart,
        InstallerKind.Autoinstall => OsInstallerKind.Autoinstall,
        _ => OsInstallerKind.Generic,
    };

    /// <summary>The run as templates see it, with its plain <paramref name="token"/> (stored only hashed and encrypted).</summary>
    public static NetbootDeployment ToNetboot(this Deployment d, string token) =>
        new(d.Id, d.Hostname, d.SshKeys, d.RootPasswordHash, d.Parameters, token);
}
