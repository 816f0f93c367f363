using Portal.Core.Redfish.Models;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// A firmware boot order that starts the installed OS at once: disk entries (hard disks, NVMe,
/// "UEFI OS" entries) first, network entries (PXE, HTTP boot) after them, anything else (CD, USB,
/// a shell) last, each group in the order the firmware had it. Without this a UEFI machine whose
/// order starts with its network entries walks PXEv4, PXEv6 and HTTP boot (minutes) at every
/// reboot before it reaches its disk.
/// </summary>
public static class DiskFirstBootOrder
{
    public enum Kind { Disk, Network, Other }

    public static Kind Classify(BootOption option)
    {
        // Alias is the BMC's own word for the entry; the device path and name are what firmware shows.
        switch (option.Alias)
        {
            case "Hdd" or "UefiTarget" or "RemoteDrive": return Kind.Disk;
            case "Pxe" or "UefiHttp": return Kind.Network;
            case "Cd" or "Usb" or "Floppy" or "UefiShell" or "BiosSetup" or "Diags" or "Utilities" or "SDCard" or "UefiBootNext": return Kind.Other;
        }
        var path = option.UefiDevicePath ?? "";
        if (Has(path, "MAC(", "IPv4(", "IPv6(", "Uri(")) return Kind.Network;
        if (Has(path, "HD(", "NVMe(", "Sata(", "Scsi(", "SAS(", "SasEx(")) return Kind.Disk;
        var name = option.DisplayName ?? "";
        if (Has(name, "PXE", "HTTP", "Network", "IPv4", "IPv6")) return Kind.Network;
        if (Has(name, "Hard", "Disk", "NVMe", "SSD", "SATA", "RAID", "UEFI OS")) return Kind.Disk;
        return Kind.Other;
    }

    /// <summary>
    /// The disk-first order for <paramref name="current"/>, or why there is none. References the
    /// options do not describe keep their place among the "other" entries.
    /// </summary>
    public static (IReadOnlyList<string>? Order, string Why) For(IReadOnlyList<string> current, IReadOnlyList<BootOption> options)
    {
        var kinds = options.Where(o => o.BootOptionReference is not null)
            .GroupBy(o => o.BootOptionReference!).ToDictionary(g => g.Key, g => Classify(g.First()));
        var kindOf = (string r) => kinds.TryGetValue(r, out var k) ? k : Kind.Other;
        if (!current.Any(r => kindOf(r) == Kind.Disk))
            return (null, $"none of its boot entries is a disk ({Describe(current, options)})");
        var order = current.Where(r => kindOf(r) == Kind.Disk)
            .Concat(current.Where(r => kindOf(r) == Kind.Network))
            .Concat(current.Where(r => kindOf(r) == Kind.Other)).ToList();
        return (order, Describe(order, options));
    }

    /// <summary>"Boot0003 (UEFI Misc Device), Boot0001 (UEFI PXEv4 …)" for the timeline.</summary>
    public static string Describe(IEnumerable<string> order, IReadOnlyList<BootOption> options) =>
        string.Join(", ", order.Select(r => options.FirstOrDefault(o => o.BootOptionReference == r)?.DisplayName is { Length: > 0 } name ? $"{r} ({name})" : r));

    private static bool Has(string text, params string[] parts) => parts.Any(p => text.Contains(p, StringComparison.OrdinalIgnoreCase));
}
