namespace Portal.Netboot.Tests.RealFirmware;

/// <summary>A fact that needs QEMU; skipped with the reason when qemu-system-x86_64 is not installed (CI installs it).</summary>
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute()
    {
        if (Qemu.FindExecutable() is null)
            Skip = "qemu-system-x86_64 is not installed; run scripts/prereqs.sh test (apt-get install qemu-system-x86 ipxe-qemu) to run the real firmware test.";
    }
}
