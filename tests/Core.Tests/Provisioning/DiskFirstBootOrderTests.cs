using Portal.Core.Provisioning.Workflow;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Tests.Provisioning;

/// <summary>How boot entries are told apart (as BMCs describe them) and the disk-first order built from them.</summary>
public sealed class DiskFirstBootOrderTests
{
    private static BootOption Option(string reference, string name, string? path = null, string? alias = null) =>
        new() { BootOptionReference = reference, DisplayName = name, UefiDevicePath = path, Alias = alias };

    // As OVMF names its entries, as iDRAC and iLO show them.
    [Theory]
    [InlineData("UEFI PXEv4 (MAC:525400123456)", "PciRoot(0x0)/Pci(0x3,0x0)/MAC(525400123456,0x1)/IPv4(0.0.0.0)", null, DiskFirstBootOrder.Kind.Network)]
    [InlineData("UEFI HTTPv6 (MAC:525400123456)", "PciRoot(0x0)/Pci(0x3,0x0)/MAC(525400123456,0x1)/IPv6(0000:0000:0000:0000:0000:0000:0000:0000)/Uri()", null, DiskFirstBootOrder.Kind.Network)]
    [InlineData("ubuntu", "HD(1,GPT,0C3E8B9A-1111-2222-3333-444455556666,0x800,0x100000)/\\EFI\\ubuntu\\shimx64.efi", null, DiskFirstBootOrder.Kind.Disk)]
    [InlineData("UEFI Misc Device", "PciRoot(0x0)/Pci(0x4,0x0)/NVMe(0x1,00-00-00-00-00-00-00-00)", null, DiskFirstBootOrder.Kind.Disk)]
    [InlineData("Integrated NIC 1 Port 1 Partition 1", null, "Pxe", DiskFirstBootOrder.Kind.Network)]
    [InlineData("Embedded SATA Port Disk A", null, null, DiskFirstBootOrder.Kind.Disk)]
    [InlineData("EFI Internal Shell", "Fv(7CB8BDC9-F8EB-4F34-AAEA-3EE4AF6516A1)/FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)", null, DiskFirstBootOrder.Kind.Other)]
    [InlineData("Virtual CD", null, "Cd", DiskFirstBootOrder.Kind.Other)]
    public void EntriesAreToldApartByAliasDevicePathOrName(string name, string? path, string? alias, DiskFirstBootOrder.Kind kind) =>
        Assert.Equal(kind, DiskFirstBootOrder.Classify(Option("Boot0001", name, path, alias)));

    [Fact]
    public void DisksComeFirstThenTheNetworkThenTheRestEachInTheOrderTheFirmwareHadThem()
    {
        BootOption[] options =
        [
            Option("Boot0000", "UiApp", "Fv(1)/FvFile(2)"),
            Option("Boot0001", "UEFI PXEv4", null, "Pxe"),
            Option("Boot0002", "UEFI HTTPv4", null, "UefiHttp"),
            Option("Boot0003", "UEFI QEMU HARDDISK", "PciRoot(0x0)/Pci(0x4,0x0)/Sata(0x0,0xFFFF,0x0)"),
            Option("Boot0004", "ubuntu", "HD(1,GPT,X,0x800,0x1000)/\\EFI\\ubuntu\\shimx64.efi"),
        ];

        var (order, why) = DiskFirstBootOrder.For(["Boot0000", "Boot0001", "Boot0002", "Boot0004", "Boot0003", "Boot0099"], options);

        Assert.Equal(["Boot0004", "Boot0003", "Boot0001", "Boot0002", "Boot0000", "Boot0099"], order);
        Assert.StartsWith("Boot0004 (ubuntu), Boot0003 (UEFI QEMU HARDDISK), Boot0001 (UEFI PXEv4)", why);
    }

    [Fact]
    public void WithoutADiskEntryThereIsNoOrderAndTheReasonNamesTheEntries()
    {
        var (order, why) = DiskFirstBootOrder.For(["Boot0001"], [Option("Boot0001", "UEFI PXEv4", null, "Pxe")]);

        Assert.Null(order);
        Assert.Equal("none of its boot entries is a disk (Boot0001 (UEFI PXEv4))", why);
    }
}
