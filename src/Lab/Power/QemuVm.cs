using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Power;

/// <summary>What QEMU needs to boot one lab machine.</summary>
internal sealed record VmSpec(
    string QemuPath, string Mac, Guid Uuid, string Serial, string Manufacturer, string Product,
    int MemoryMiB, string? NetbootUrl, bool NetworkBoot, string LogPath);

/// <summary>
/// One running qemu-system-x86_64. Its console goes to a log file; its exit is reported so the
/// owning system's PowerState can follow the process.
/// </summary>
internal sealed class QemuVm
{
    private readonly Process process;
    private readonly FileStream log;
    private readonly object logLock = new();

    private QemuVm(Process process, FileStream log)
    {
        this.process = process;
        this.log = log;
    }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public static IReadOnlyList<string> Arguments(VmSpec spec)
    {
        var netdev = "user,id=n0";
        if (spec.NetworkBoot && !string.IsNullOrEmpty(spec.NetbootUrl)) netdev += ",bootfile=" + Escape(spec.NetbootUrl);
        // Without a network boot the NIC gets no option ROM: the VM has no disk either, so SeaBIOS
        // finds nothing to boot, just as a real machine with an empty disk would.
        var nic = $"virtio-net-pci,netdev=n0,mac={spec.Mac}" + (spec.NetworkBoot ? "" : ",romfile=");
        var smbios = $"type=1,serial={Escape(spec.Serial)},uuid={spec.Uuid:D},manufacturer={Escape(spec.Manufacturer)},product={Escape(spec.Product)}";
        return
        [
            "-accel", "tcg", "-m", spec.MemoryMiB.ToString(), "-nographic", "-no-reboot",
            "-boot", spec.NetworkBoot ? "n" : "c",
            "-netdev", netdev, "-device", nic, "-smbios", smbios,
        ];
    }

    // QEMU option values use ',' as separator; a literal comma is written twice.
    private static string Escape(string value) => value.Replace(",", ",,");

    public static QemuVm Start(VmSpec spec, Action onExit, ILogger logger)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(spec.LogPath)!);
        var log = new FileStream(spec.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 4096, useAsync: false);
        var psi = new ProcessStartInfo(spec.QemuPath)
        {
            RedirectStandardInput = true, // kept open and idle: -nographic reads its console from stdin
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in Arguments(spec)) psi.ArgumentList.Add(a);

        var header = $"--- {DateTimeOffset.UtcNow:O} power on: {spec.QemuPath} {string.Join(' ', psi.ArgumentList)}\n";
        log.Write(System.Text.Encoding.UTF8.GetBytes(header));
        log.Flush();

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var vm = new QemuVm(process, log);
        process.Exited += (_, _) =>
        {
            logger.LogInformation("QEMU for {Serial} exited", spec.Serial);
            onExit();
        };
        process.Start();
        // The log closes once both pipes are drained, whether QEMU stopped by itself or was killed.
        _ = Task.WhenAll(vm.PumpAsync(process.StandardOutput.BaseStream), vm.PumpAsync(process.StandardError.BaseStream))
            .ContinueWith(_ => { lock (vm.logLock) log.Dispose(); }, TaskScheduler.Default);
        logger.LogInformation("QEMU for {Serial} started as pid {Pid} (network boot: {Pxe}), console in {Log}",
            spec.Serial, process.Id, spec.NetworkBoot, spec.LogPath);
        return vm;
    }

    private async Task PumpAsync(Stream source)
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer)) > 0)
            {
                lock (logLock)
                {
                    if (!log.CanWrite) return;
                    log.Write(buffer, 0, n);
                    log.Flush();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process went away mid-read; nothing left to log.
        }
    }

    public void Kill()
    {
        try
        {
            // SIGKILL, no waiting: callers hold the BMC lock, which the Exited handler also takes.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
