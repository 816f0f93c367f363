// Discovery benchmark (issue 4): N lab BMCs with added latency per request, a full discovery
// and inventory into a fresh database. Prints wall time, requests, the ideal time
// (requests × latency ÷ global concurrency), the ratio and the CPU spent. Targets: ≤ 3× ideal
// and < 15 s.
//   dotnet run -c Release -- [bmcs=500] [latencyMs=20] [globalLimit=64, the Portal's default Redfish:MaxConcurrentRequests] [--lab-process] [--cold]
// --lab-process runs the simulated fleet in a process of its own, so the CPU the Portal spends
// is printed apart from the simulator's (the machine's cores are still shared).
// The Portal is a long-running server, so by default a small fleet (other addresses, its own
// database) is discovered first and the measured run does not pay for JIT compilation and
// EF Core's first use; --cold measures a fresh process instead.
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Discovery.Bench;
using Portal.TestSupport;

var separateLab = args.Contains("--lab-process");
var cold = args.Contains("--cold");
var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).ToArray();
var bmcCount = numbers.Length > 0 ? numbers[0] : 500;
var latencyMs = numbers.Length > 1 ? numbers[1] : 20;
var globalLimit = numbers.Length > 2 ? numbers[2] : new Portal.Core.Redfish.RedfishOptions().MaxConcurrentRequests; // what operators get

if (!cold)
{
    await using var warmLab = await BenchLab.StartInProcessAsync(BenchLab.WarmUpBmcs, BenchLab.WarmUpFirstAddress, BenchLab.Seed + 1);
    var warm = await DiscoverAsync(warmLab, latencyMs, globalLimit);
    Console.WriteLine($"warm-up: {BenchLab.WarmUpBmcs} other BMCs discovered in {warm.Wall.TotalSeconds:F2} s (not measured)");
}

await using var lab = separateLab ? await BenchLab.StartProcessAsync(bmcCount) : await BenchLab.StartInProcessAsync(bmcCount);
var r = await DiscoverAsync(lab, latencyMs, globalLimit);
var ideal = TimeSpan.FromMilliseconds(r.Requests * (double)latencyMs / globalLimit);

Console.WriteLine($"discovery: {bmcCount} BMCs, {latencyMs} ms per request, global limit {globalLimit}, lab {(separateLab ? "in its own process" : "in this process")}, {(cold ? "cold process" : "after a warm-up")}");
Console.WriteLine($"  inventoried {r.Run.Inventoried}/{bmcCount}, failed {r.Run.Failed}, machines {r.Machines}");
Console.WriteLine($"  wall time   {r.Wall.TotalSeconds:F2} s");
Console.WriteLine($"  requests    {r.Requests} ({(double)r.Requests / bmcCount:F1} per BMC)");
Console.WriteLine($"  ideal       {ideal.TotalSeconds:F2} s  (requests × latency ÷ global limit)");
Console.WriteLine($"  ratio       {r.Wall / ideal:F2}× ideal  (target ≤ 3×, and < 15 s)");
Console.WriteLine(separateLab
    ? $"  CPU         portal {r.PortalCpu.TotalSeconds:F2} s, lab {r.LabCpu.TotalSeconds:F2} s ({(r.PortalCpu + r.LabCpu).TotalMilliseconds / r.Requests:F2} ms per request)"
    : $"  CPU         {r.PortalCpu.TotalSeconds:F2} s, portal and lab together ({r.PortalCpu.TotalMilliseconds / r.Requests:F2} ms per request)");
Console.WriteLine($"  allocated   {r.AllocatedBytes / (1024.0 * 1024):F0} MB in this process, {r.Gen0} gen0 collections");
Console.WriteLine($"  max concurrent requests seen by one BMC: {r.MaxInFlight} (limit 2)");
var ok = r.Run.Inventoried == bmcCount && r.MaxInFlight <= 2;
if (!ok) Console.WriteLine("  FAILED: not every BMC was inventoried or the per-BMC limit was exceeded");
// A run that stopped, or BMCs that failed, say why: a failure must not read as a bare 0.
if (r.Run.Error is { } error) Console.WriteLine($"  the run stopped: {error}");
foreach (var issue in r.Run.Issues.Take(5)) Console.WriteLine($"  issue: {issue}");
return ok ? 0 : 1;

// A fresh database with the lab's vendor list and lease file as a source, then one timed run.
static async Task<Result> DiscoverAsync(BenchLab lab, int latencyMs, int globalLimit)
{
    var connectionString = await TestPostgres.CreateDatabaseAsync("bench");
    try
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error).AddSimpleConsole());
        services.AddPortalPersistence(connectionString);
        services.AddDiscovery(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Redfish:MaxConcurrentRequests"] = globalLimit.ToString(),
            ["Discovery:MaxParallelBmcs"] = globalLimit.ToString(),
            // Lease files are read only from these folders; the lab writes its own in a temp folder.
            ["Discovery:LeaseDirectories:0"] = Path.GetDirectoryName(lab.LeaseFilePath),
        }).Build());
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var protector = scope.ServiceProvider.GetRequiredService<CredentialProtector>();
            foreach (var b in lab.Credentials)
                db.VendorCredentials.Add(VendorCredential.Create(MacAddress.Parse(b.Mac).ToString(), b.Username, protector.Protect(b.Password), b.Serial, null, null, DateTimeOffset.UtcNow, "bench"));
            db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, lab.LeaseFilePath, lab.Port, true, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        await lab.PrepareAsync(latencyMs);
        var gcBefore = GC.CollectionCount(0);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var portalCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var labCpu = lab.ProcessCpu();
        var clock = Stopwatch.StartNew();
        var run = await provider.GetRequiredService<DiscoveryRunner>().RunAsync(Actor.System, default);
        clock.Stop();
        portalCpu = Process.GetCurrentProcess().TotalProcessorTime - portalCpu;
        labCpu = lab.ProcessCpu() - labCpu;
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var gen0 = GC.CollectionCount(0) - gcBefore;

        var (requests, maxInFlight) = await lab.StatsAsync();
        await using var check = provider.CreateAsyncScope();
        var machines = await check.ServiceProvider.GetRequiredService<AppDbContext>().Machines.CountAsync();
        return new Result(run, machines, clock.Elapsed, requests, maxInFlight, portalCpu, labCpu, allocated, gen0);
    }
    finally
    {
        await TestPostgres.DropDatabaseAsync(connectionString);
    }
}

internal sealed record Result(DiscoveryProgress Run, int Machines, TimeSpan Wall, long Requests, int MaxInFlight,
    TimeSpan PortalCpu, TimeSpan LabCpu, long AllocatedBytes, int Gen0);
