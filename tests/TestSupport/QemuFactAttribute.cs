using Xunit;

namespace Portal.TestSupport;

/// <summary>A fact that needs qemu-system-x86_64; skipped (saying why) only when it is not installed.</summary>
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "qemu-system-x86_64")));
        if (!onPath) Skip = "qemu-system-x86_64 is not installed (scripts/prereqs.sh test installs it: apt-get install qemu-system-x86 ipxe-qemu).";
    }
}
