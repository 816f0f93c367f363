using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Portal.EndToEnd.RealNetwork;

/// <summary>
/// A network namespace this test owns: its own loopback, a bridge with a private address, tap devices for
/// VMs. Nothing in it can reach outside this machine's namespaces, and nothing outside reaches in. Disposing
/// stops every process left inside it (all started by the test) and deletes it with all its devices.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>A fresh namespace with its loopback up; the name is unique to this run.</summary>
    public static NetworkNamespace Create(string prefix)
    {
        var ns = new NetworkNamespace($"{prefix}-{Environment.ProcessId}-{Random.Shared.Next(1000, 9999)}");
        Ip("netns", "add", ns.Name);
        ns.Run("ip", "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>A bridge with <paramref name="cidr"/> (e.g. 10.77.0.1/24), up.</summary>
    public void AddBridge(string bridge, string cidr)
    {
        Run("ip", "link", "add", bridge, "type", "bridge");
        Run("ip", "addr", "add", cidr, "dev", bridge);
        Run("ip", "link", "set", bridge, "up");
    }

    /// <summary>A tap device on <paramref name="bridge"/>, up, for QEMU to open.</summary>
    public void AddTap(string tap, string bridge)
    {
        Run("ip", "tuntap", "add", tap, "mode", "tap");
        Run("ip", "link", "set", tap, "master", bridge);
        Run("ip", "link", "set", tap, "up");
    }

    /// <summary>
    /// A veth pair from <paramref name="bridge"/> here to <paramref name="peer"/>'s interface
    /// <paramref name="peerInterface"/> with <paramref name="peerCidr"/> (none: a host that asks DHCP for one):
    /// another host on the same network.
    /// </summary>
    public void Connect(string bridge, NetworkNamespace peer, string peerInterface, string? peerCidr)
    {
        var local = "v" + peer.Name[^4..];
        Run("ip", "link", "add", local, "type", "veth", "peer", "name", peerInterface, "netns", peer.Name);
        Run("ip", "link", "set", local, "master", bridge);
        Run("ip", "link", "set", local, "up");
        if (peerCidr is not null) peer.Run("ip", "addr", "add", peerCidr, "dev", peerInterface);
        peer.Run("ip", "link", "set", peerInterface, "up");
    }

    /// <summary>Runs a command inside the namespace to its end; throws with its output when it fails.</summary>
    public void Run(params string[] command) => Ip(["netns", "exec", Name, .. command]);

    /// <summary>A long-running command inside the namespace, its output appended to <paramref name="log"/>.</summary>
    public Process Start(string log, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "netns", "exec", Name }.Concat(command)) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var writer = new StreamWriter(new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// An HTTP client whose connections are made inside the namespace: each socket is created on a thread
    /// that has joined the namespace (a socket stays in the namespace it was created in), so the test talks
    /// to a Portal that listens only there.
    /// </summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancel) =>
        {
            var socket = CreateSocketInside();
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(30) };

    private Socket CreateSocketInside()
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Name}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new IOException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new IOException($"Could not open a socket in namespace {Name}.", error);
    }

    public void Dispose()
    {
        // Whatever is still running inside (the Portal, dnsmasq, QEMU) was started by this test.
        var (_, pids) = TryIp("netns", "pids", Name);
        foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try { using var p = Process.GetProcessById(int.Parse(pid)); p.Kill(); p.WaitForExit(5000); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException) { }
        }
        TryIp("netns", "del", Name);
    }

    private static void Ip(params string[] args)
    {
        var (code, output) = TryIp(args);
        if (code != 0) throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output}");
    }

    private static (int Code, string Output) TryIp(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private const int CloneNewNet = 0x40000000;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
