using System.Diagnostics;
using System.Text;

namespace Portal.Netboot.Tests.RealFirmware;

/// <summary>
/// One QEMU VM that network-boots with its built-in iPXE. User-mode networking only: the VM sees
/// the host's loopback as 10.0.2.2 and QEMU's DHCP hands iPXE the bootstrap URL, so nothing but
/// 127.0.0.1 is ever contacted.
/// </summary>
internal sealed class Qemu : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _console = new();
    private readonly Task _pump;

    private Qemu(Process process)
    {
        _process = process;
        _pump = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
                lock (_console) _console.Append(buffer, 0, read);
        });
    }

    public static string? FindExecutable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "qemu-system-x86_64"))
            .FirstOrDefault(File.Exists);

    public static Qemu Start(int port, string mac, string serial, Guid uuid)
    {
        var start = new ProcessStartInfo(FindExecutable() ?? throw new InvalidOperationException("qemu-system-x86_64 not found"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[]
        {
            "-accel", "tcg", "-m", "512", "-nographic", "-no-reboot", "-boot", "n",
            "-netdev", $"user,id=n0,bootfile=http://10.0.2.2:{port}/boot.ipxe",
            "-device", $"virtio-net-pci,netdev=n0,mac={mac}",
            "-smbios", $"type=1,serial={serial},uuid={uuid:D}",
        }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new Qemu(process);
    }

    public string Console
    {
        get { lock (_console) return _console.ToString(); }
    }

    /// <summary>The last part of the serial console, for failure messages.</summary>
    public string ConsoleTail(int chars = 3000)
    {
        var text = Console;
        return text.Length <= chars ? text : text[^chars..];
    }

    /// <summary>True when the VM ended by itself (poweroff) within the time.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _pump;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
