using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Portal.Lab;
using Portal.Lab.Faults;

namespace Portal.Discovery.Bench;

internal sealed record LabCredential(string Mac, string Username, string Password, string Serial);

/// <summary>
/// The benchmark's fleet: either a <see cref="LabFleet"/> in this process, or the lab program in
/// a child process driven through its control API (so its CPU can be told apart from ours).
/// Same seed and addresses either way, so both see the same hardware.
/// </summary>
internal abstract class BenchLab : IAsyncDisposable
{
    public const int Seed = 500;
    public const string FirstAddress = "127.3.0.1";
    public const int WarmUpBmcs = 24;
    public const string WarmUpFirstAddress = "127.4.0.1";

    protected BenchLab(string directory) => Directory = directory;

    public string Directory { get; }
    public abstract int Port { get; }
    public string LeaseFilePath => Path.Combine(Directory, "dnsmasq.leases");

    public IReadOnlyList<LabCredential> Credentials => File.ReadAllLines(Path.Combine(Directory, "bmc-credentials.csv"))
        .Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).Select(f => new LabCredential(f[0], f[1], f[2], f[3])).ToList();

    /// <summary>Sets the added latency and zeroes the counters.</summary>
    public abstract Task PrepareAsync(int latencyMs);

    /// <summary>Requests over all BMCs and the most one BMC had in flight at once.</summary>
    public abstract Task<(long Requests, int MaxInFlight)> StatsAsync();

    /// <summary>CPU the lab process has used so far (zero when it shares ours).</summary>
    public abstract TimeSpan ProcessCpu();

    public abstract ValueTask DisposeAsync();

    public static async Task<BenchLab> StartInProcessAsync(int bmcs, string firstAddress = FirstAddress, int seed = Seed)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("portal-bench-lab-").FullName;
        var fleet = await LabFleet.StartAsync(new LabOptions { BmcCount = bmcs, FirstAddress = firstAddress, OutputDirectory = dir, Seed = seed });
        return new InProcess(fleet, dir);
    }

    public static async Task<BenchLab> StartProcessAsync(int bmcs)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("portal-bench-lab-").FullName;
        var controlPort = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Portal.Lab.dll"), "--bmcs", bmcs.ToString(), "--seed", Seed.ToString(),
                "--first-address", FirstAddress, "--output", dir, "--control-port", controlPort.ToString() },
            RedirectStandardOutput = true,
            UseShellExecute = false,
            // The same JIT settings as this process (see the project file).
            Environment = { ["DOTNET_TC_QuickJit"] = "0", ["DOTNET_TieredPGO"] = "0" },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the lab process.");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var summary = await http.GetFromJsonAsync<JsonElement>("lab");
                return new OwnProcess(process, http, dir, summary.GetProperty("port").GetInt32());
            }
            catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed class InProcess(LabFleet fleet, string dir) : BenchLab(dir)
    {
        public override int Port => fleet.Port;

        public override Task PrepareAsync(int latencyMs)
        {
            fleet.SetFaults(new FaultSettings { LatencyMs = latencyMs });
            fleet.ResetStats();
            return Task.CompletedTask;
        }

        public override Task<(long, int)> StatsAsync() =>
            Task.FromResult((fleet.Bmcs.Sum(b => b.Stats.Requests), fleet.Bmcs.Max(b => b.Stats.MaxInFlight)));

        public override TimeSpan ProcessCpu() => TimeSpan.Zero;

        public override async ValueTask DisposeAsync()
        {
            await fleet.DisposeAsync();
            System.IO.Directory.Delete(Directory, true);
        }
    }

    private sealed class OwnProcess(Process process, HttpClient http, string dir, int port) : BenchLab(dir)
    {
        public override int Port => port;

        public override async Task PrepareAsync(int latencyMs)
        {
            (await http.PutAsJsonAsync("lab/faults", new { latencyMs })).EnsureSuccessStatusCode();
            (await http.PostAsync("lab/stats/reset", null)).EnsureSuccessStatusCode();
        }

        public override async Task<(long, int)> StatsAsync()
        {
            var all = await http.GetFromJsonAsync<JsonElement>("lab/stats");
            var stats = all.EnumerateArray().Select(b => b.GetProperty("stats")).ToList();
            return (stats.Sum(s => s.GetProperty("requests").GetInt64()), stats.Max(s => s.GetProperty("maxInFlight").GetInt32()));
        }

        public override TimeSpan ProcessCpu()
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }

        public override async ValueTask DisposeAsync()
        {
            http.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
            System.IO.Directory.Delete(Directory, true);
        }
    }
}
