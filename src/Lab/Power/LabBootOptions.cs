namespace Portal.Lab;

/// <summary>One entry of a lab system's firmware boot menu (a Redfish BootOption).</summary>
public sealed record LabBootOption(string Reference, string DisplayName, string UefiDevicePath, bool IsNetwork);

/// <summary>
/// The boot menu every lab system has: its first NIC's PXE and HTTP boot entries and its first disk.
/// The order starts with the network, as many servers ship and as OVMF builds it for a NIC with a
/// boot ROM, so a reboot without a boot override walks the network entries before the disk — until
/// someone (the Portal's disk-first boot order) changes it.
/// </summary>
public static class LabBootOptions
{
    public static IReadOnlyList<LabBootOption> For(HardwareFacts facts)
    {
        var mac = facts.Nics.Count > 0 ? facts.Nics[0].Mac.Replace(":", "").ToUpperInvariant() : "000000000000";
        var nic = $"PciRoot(0x0)/Pci(0x3,0x0)/MAC({mac},0x1)";
        var disk = facts.Disks.Count > 0 ? facts.Disks[0].Model : "Disk";
        return
        [
            new("Boot0001", $"UEFI PXEv4 (MAC:{mac})", $"{nic}/IPv4(0.0.0.0)", IsNetwork: true),
            new("Boot0002", $"UEFI HTTPv4 (MAC:{mac})", $"{nic}/IPv4(0.0.0.0)/Uri()", IsNetwork: true),
            new("Boot0003", $"UEFI OS on {disk}", $"PciRoot(0x0)/Pci(0x4,0x0)/HD(1,GPT,{facts.Uuid:D},0x800,0x100000)", IsNetwork: false),
        ];
    }
}
