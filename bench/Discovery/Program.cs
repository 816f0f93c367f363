// Discovery benchmark (issue 4): N lab BMCs with added latency per request, a full discovery
// and inventory into a fresh database. Prints wall time, requests, the ideal time
// (requests × latency ÷ global concurrency) and the ratio. Targets: ≤ 3× ideal and < 15 s.
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
using Portal.Lab;
using Portal.Lab.Faults;
using Portal.TestSupport;

var bmcCount = args.Length > 0 ? int.Parse(args[0]) : 500;
var latencyMs = args.Length > 1 ? int.Parse(args[1]) : 20;
var globalLimit = args.Length > 2 ? int.Parse(args[2]) : 128;

var labDirectory = Directory.CreateTempSubdirectory("portal-bench-lab-").FullName;
await using var lab = await LabFleet.StartAsync(new LabOptions { BmcCount = bmcCount, FirstAddress = "127.3.0.1", OutputDirectory = labDirectory, Seed = 500 });
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
        foreach (var b in lab.Bmcs)
            db.VendorCredentials.Add(VendorCredential.Create(MacAddress.Parse(b.Mac).ToString(), b.Username, protector.Protect(b.Password), b.SerialNumber, null, null, DateTimeOffset.UtcNow, "bench"));
        db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, lab.LeaseFilePath, lab.Port, true, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
    }

    lab.SetFaults(new FaultSettings { LatencyMs = latencyMs });
    lab.ResetStats();
    var clock = Stopwatch.StartNew();
    var run = await provider.GetRequiredService<DiscoveryRunner>().RunAsync(Actor.System, default);
    clock.Stop();

    long requests = lab.Bmcs.Sum(b => b.Stats.Requests);
    var ideal = TimeSpan.FromMilliseconds(requests * (double)latencyMs / globalLimit);
    var maxInFlight = lab.Bmcs.Max(b => b.Stats.MaxInFlight);
    await using var check = provider.CreateAsyncScope();
    var machines = await check.ServiceProvider.GetRequiredService<AppDbContext>().Machines.CountAsync();

    Console.WriteLine($"discovery: {bmcCount} BMCs, {latencyMs} ms per request, global limit {globalLimit}");
    Console.WriteLine($"  inventoried {run.Inventoried}/{bmcCount}, failed {run.Failed}, machines {machines}");
    Console.WriteLine($"  wall time   {clock.Elapsed.TotalSeconds:F2} s");
    Console.WriteLine($"  requests    {requests}");
    Console.WriteLine($"  ideal       {ideal.TotalSeconds:F2} s  (requests × latency ÷ global limit)");
    Console.WriteLine($"  ratio       {clock.Elapsed / ideal:F2}× ideal  (target ≤ 3×, and < 15 s)");
    Console.WriteLine($"  max concurrent requests seen by one BMC: {maxInFlight} (limit 2)");
    var ok = run.Inventoried == bmcCount && maxInFlight <= 2;
    if (!ok) Console.WriteLine("  FAILED: not every BMC was inventoried or the per-BMC limit was exceeded");
    return ok ? 0 : 1;
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
    Directory.Delete(labDirectory, true);
}
