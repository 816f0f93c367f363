using Portal.Lab.Power;

namespace Portal.Lab.Tests.Power;

/// <summary>How a lab system's boot settings become QEMU's command line (the boots themselves run in the VM tests).</summary>
public sealed class VmArgumentsTests
{
    private static readonly UefiFirmware Ovmf = new("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", "/lab/vm/S1.OVMF_VARS.fd");

    [Fact]
    public void ALegacySystemBootsSeaBiosWithTheNicFirstAndTheDiskSecondWhenItNetboots()
    {
        var args = string.Join(' ', QemuVm.Arguments(Spec(networkBoot: true, uefi: null)));

        Assert.DoesNotContain("pflash", args);
        Assert.Contains("bootfile=http://10.0.2.2:5080/boot.ipxe", args);
        Assert.Contains("virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bootindex=1", args);
        Assert.Contains("-drive file=/lab/disk.img,format=raw,if=none,id=disk0,readonly=on -device virtio-blk-pci,drive=disk0,bootindex=2", args);
    }

    [Fact]
    public void AUefiSystemBootsOvmfWithItsOwnVariableStoreAndWithoutOvmfsNetworkBootEntries()
    {
        var args = string.Join(' ', QemuVm.Arguments(Spec(networkBoot: true, uefi: Ovmf)));

        Assert.Contains("-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd", args);
        Assert.Contains("-drive if=pflash,format=raw,file=/lab/vm/S1.OVMF_VARS.fd", args);
        Assert.Contains("name=opt/org.tianocore/IPv4Support,string=no", args);
        Assert.Contains("name=opt/org.tianocore/IPv6Support,string=no", args);
    }

    [Fact]
    public void ADiskFirstBootPutsTheDiskBeforeTheNicSoTheNetworkIsOnlyAFallback()
    {
        var args = string.Join(' ', QemuVm.Arguments(Spec(networkBoot: false, uefi: Ovmf)));

        Assert.Contains("virtio-blk-pci,drive=disk0,bootindex=1", args);
        Assert.Contains("virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bootindex=2", args);
        Assert.DoesNotContain("romfile=", args);
    }

    [Fact]
    public void ALegacySystemOnATapWithABiosPxeRomBootsItInsteadOfTheNicsIpxe()
    {
        var args = QemuVm.Arguments(Spec(networkBoot: true, uefi: null) with { Tap = "tap1", BiosPxeRom = "/usr/lib/ipxe/ipxe.lkrn" });
        var line = string.Join(' ', args);

        Assert.Contains("-kernel /usr/lib/ipxe/ipxe.lkrn", line);
        Assert.Equal("dhcp && chain tftp://${next-server}/undionly.kpxe", args[args.ToList().IndexOf("-append") + 1]);
        Assert.Contains("virtio-net-pci,netdev=n0,mac=52:54:00:00:00:01,bootindex=1,romfile=", line);
    }

    [Fact]
    public void ABiosPxeRomIsOnlyForNetworkBootsOnATapWithSeaBios()
    {
        var rom = Spec(networkBoot: true, uefi: null) with { Tap = "tap1", BiosPxeRom = "/usr/lib/ipxe/ipxe.lkrn" };
        foreach (var spec in new[] { rom with { NetworkBoot = false }, rom with { Tap = null }, rom with { Uefi = Ovmf } })
            Assert.DoesNotContain("-kernel", QemuVm.Arguments(spec));
    }

    [Fact]
    public void WithoutADiskImageTheVmHasNoDisk()
    {
        var args = QemuVm.Arguments(Spec(networkBoot: false, uefi: null) with { DiskImage = null });

        Assert.DoesNotContain(args, a => a.Contains("virtio-blk"));
    }

    private static VmSpec Spec(bool networkBoot, UefiFirmware? uefi) => new(
        "qemu-system-x86_64", "52:54:00:00:00:01", Guid.Parse("5f0c6c3e-9a53-4d2e-9a55-2b1d3c4e5f60"), "S1", "Dell Inc.", "PowerEdge R750",
        256, "http://10.0.2.2:5080/boot.ipxe", networkBoot, "/lab/vm/S1.log", "/lab/disk.img", uefi);
}
