using System.Diagnostics;
using Portal.TestSupport;

namespace Portal.EndToEnd.RealNetwork;

/// <summary>
/// A fact that builds a real network inside network namespaces: skipped, saying what is missing, where
/// namespaces cannot be made (not root, no `ip`, a sandbox that forbids them), /dev/net/tun is missing,
/// or QEMU, dnsmasq, busybox, curl or Debian's iPXE builds are not installed.
/// </summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(FindMissing);

    public NetnsFactAttribute()
    {
        if (Missing.Value is { } why) Skip = why;
    }

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux()) return "Network namespaces need Linux.";
        if (Environment.UserName != "root") return "Network namespaces need root (this test creates namespaces, a bridge and tap devices).";
        if (!File.Exists("/dev/net/tun")) return "/dev/net/tun is missing: QEMU cannot attach a VM to a tap device here.";
        foreach (var (program, package) in new[] { ("ip", "iproute2"), ("dnsmasq", "dnsmasq-base"), ("qemu-system-x86_64", "qemu-system-x86"),
                     ("busybox", "busybox"), ("curl", "curl") }) // busybox udhcpc and curl's TFTP play a BIOS PXE ROM
            if (!OnPath(program)) return $"{program} is not installed (apt-get install {package}; scripts/prereqs.sh test installs it).";
        if (!File.Exists("/usr/lib/ipxe/ipxe.efi")) return "Debian's iPXE builds are missing (apt-get install ipxe; scripts/prereqs.sh test installs it).";
        var probe = $"portal-probe-{Environment.ProcessId}";
        var (code, output) = Run("ip", "netns", "add", probe);
        if (code != 0) return $"Cannot create a network namespace here (ip netns add: {output.Trim()}).";
        Run("ip", "netns", "del", probe);
        return null;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/sbin")
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    private static (int Code, string Output) Run(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
