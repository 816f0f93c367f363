// Discovery benchmark (issue 4): N lab BMCs with added latency per request, a full discovery
// and inventory into a fresh database. Prints wall time, requests, the ideal time
// (requests × latency ÷ global concurrency), the ratio and the CPU spent. Targets: ≤ 3× ideal
// and < 15 s.
//   dotnet run -c Release -- [bmcs=500] [latencyMs=20] [globalLimit=128] [--lab-process]
// --lab-process runs the simulated fleet in a process of its own, so the CPU the Portal spends
// is printed apart from the simulator's (the machine's cores are still shared).
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
var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(int.Parse).ToArray();
var bmcCount = numbers.Length > 0 ? numbers[0] : 500;
var latencyMs = numbers.Length > 1 ? numbers[1] : 20;
var globalLimit = numbers.Length > 2 ? numbers[2] : 128;

await using var lab = separateLab ? await BenchLab.StartProcessAsync(bmcCount) : await BenchLab.StartInProcessAsync(bmcCount);
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
    var cpuBefore = (Portal: Process.GetCurrentProcess().TotalProcessorTime, Lab: lab.ProcessCpu());
    var clock = Stopwatch.StartNew();
    var run = await provider.GetRequiredService<DiscoveryRunner>().RunAsync(Actor.System, default);
    clock.Stop();
    var cpu = (Portal: Process.GetCurrentProcess().TotalProcessorTime - cpuBefore.Portal, Lab: lab.ProcessCpu() - cpuBefore.Lab);
    var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
    var gen0 = GC.CollectionCount(0) - gcBefore;

    var (requests, maxInFlight) = await lab.StatsAsync();
    var ideal = TimeSpan.FromMilliseconds(requests * (double)latencyMs / globalLimit);
    await using var check = provider.CreateAsyncScope();
    var machines = await check.ServiceProvider.GetRequiredService<AppDbContext>().Machines.CountAsync();

    Console.WriteLine($"discovery: {bmcCount} BMCs, {latencyMs} ms per request, global limit {globalLimit}, lab {(separateLab ? "in its own process" : "in this process")}");
    Console.WriteLine($"  inventoried {run.Inventoried}/{bmcCount}, failed {run.Failed}, machines {machines}");
    Console.WriteLine($"  wall time   {clock.Elapsed.TotalSeconds:F2} s");
    Console.WriteLine($"  requests    {requests} ({(double)requests / bmcCount:F1} per BMC)");
    Console.WriteLine($"  ideal       {ideal.TotalSeconds:F2} s  (requests × latency ÷ global limit)");
    Console.WriteLine($"  ratio       {clock.Elapsed / ideal:F2}× ideal  (target ≤ 3×, and < 15 s)");
    Console.WriteLine(separateLab
        ? $"  CPU         portal {cpu.Portal.TotalSeconds:F2} s, lab {cpu.Lab.TotalSeconds:F2} s ({(cpu.Portal + cpu.Lab).TotalMilliseconds / requests:F2} ms per request)"
        : $"  CPU         {cpu.Portal.TotalSeconds:F2} s, portal and lab together ({cpu.Portal.TotalMilliseconds / requests:F2} ms per request)");
    Console.WriteLine($"  allocated   {allocated / (1024.0 * 1024):F0} MB in this process, {gen0} gen0 collections");
    Console.WriteLine($"  max concurrent requests seen by one BMC: {maxInFlight} (limit 2)");
    var ok = run.Inventoried == bmcCount && maxInFlight <= 2;
    if (!ok) Console.WriteLine("  FAILED: not every BMC was inventoried or the per-BMC limit was exceeded");
    return ok ? 0 : 1;
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
}
