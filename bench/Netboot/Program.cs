// Netboot benchmark (issue 6). With 10,000 machines in the database: wrk (64 connections) against
// the per-machine script endpoint of the real Portal host, next to nginx serving a static file of
// the same size in the same run; prints both, the ratio and p99 (targets: >= 0.5 of nginx, p99
// <= 10 ms). Then boot storms: after a warm-up of 500, 2,000 machines with active deployments each fetch
// bootstrap + script + config at once (p99 per machine <= 3 s), then 10,000 more (p99 <= 10 s); every request must
// succeed and every timeline must show the fetches; database round trips per fetch are printed.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Bench;
using Portal.TestSupport;

var machineCount = args.Length > 0 ? int.Parse(args[0]) : 10_000;
var stormCount = args.Length > 1 ? int.Parse(args[1]) : 2_000;
var seconds = args.Length > 2 ? int.Parse(args[2]) : 10;
// A second, larger storm on machines of its own, seeded next to the first (0 skips it).
var bigStormCount = args.Length > 3 ? int.Parse(args[3]) : 10_000;
const int connections = 64;
// Before the measured storms, small ones on machines of their own, each followed by a wait until the
// JIT is done recompiling what they ran hot: the render path's code is then optimised, as in a Portal
// that has provisioned before (their figures are printed, with no target).
const int warmUpCount = 500;
// Rounds, since a method is recompiled a step at a time (quick, instrumented, optimised), each after it
// has been called often enough once the previous step is done.
const int WarmUpRounds = 4;
var availableCount = machineCount - stormCount;
var seededCount = machineCount + bigStormCount + warmUpCount;
var provisioningCount = stormCount + bigStormCount + warmUpCount;

static string Mac(int i) => $"02:4e:00:{(i >> 16) & 255:x2}:{(i >> 8) & 255:x2}:{i & 255:x2}";

var work = Directory.CreateTempSubdirectory("portal-netboot-bench-").FullName;
var connectionString = await TestPostgres.CreateDatabaseAsync("netbench");
Process? nginx = null;
var failed = false;
try
{
    await using var portal = new PortalUnderTest(connectionString, Path.Combine(work, "data"));
    portal.Start();

    // ---- 10,000 machines; the last stormCount are being provisioned with the lab installer.
    var clock = Stopwatch.StartNew();
    using (var scope = portal.Services.CreateScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered("02:4f:00:00:00:01", "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var profile = await db.OsProfiles.SingleAsync(p => p.Name == "Lab installer");
        var requester = await db.Users.Select(u => u.Id).FirstAsync();
        for (var start = 0; start < seededCount; start += 1000)
        {
            var batch = new List<Machine>();
            for (var i = start; i < Math.Min(start + 1000, seededCount); i++)
            {
                var machine = Machine.Discovered(bmc.Id, $"/redfish/v1/Systems/{i}", now);
                machine.ApplyFacts(new MachineFacts($"/redfish/v1/Systems/{i}", Guid.NewGuid(), $"SN-BENCH-{i:D5}", "Bench", "Model", "x86_64",
                    "UEFI", "1.0", "Xeon", 2, 32, 64, 256L << 30, [new MachineDisk("SSD", "SSD", "NVMe", 960L << 30, $"D{i}")],
                    [new MachineNic(Mac(i), 25000, "eno1"), new MachineNic(Mac(i + 0x100000), 1000, "eno2")], [], "On"), bmc.Id, now);
                batch.Add(machine);
            }
            db.Machines.AddRange(batch);
            await db.SaveChangesAsync();
            foreach (var m in batch.Where((_, k) => start + k >= availableCount))
                db.Deployments.Add(Deployment.Start(m, requester, profile, $"storm-{m.Id}", [], null, new Dictionary<string, string>(), now));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            db.OsProfiles.Attach(profile); // still the same row; keep it tracked as unchanged for the next batch
        }
    }
    Console.WriteLine($"seeded {seededCount:N0} machines ({provisioningCount:N0} provisioning) in {clock.Elapsed.TotalSeconds:F1} s");
    // Steady state: the in-memory boot directory has loaded (answers fall back to the database until it has).
    var directory = portal.Services.GetRequiredService<Portal.Netboot.Serving.BootDirectory>();
    for (var waited = 0; !directory.IsLive && waited < 60_000; waited += 100) await Task.Delay(100);
    Console.WriteLine($"boot directory live: {directory.IsLive}");

    // ---- the same-size static file for nginx: the script an available machine gets.
    using var http = new HttpClient { BaseAddress = new Uri(portal.BaseUrl) };
    var sample = await http.GetByteArrayAsync($"/netboot/machine.ipxe?mac={Mac(0)}&platform=efi");
    var www = Directory.CreateDirectory(Path.Combine(work, "www")).FullName;
    await File.WriteAllBytesAsync(Path.Combine(www, "script.ipxe"), sample);
    // Temp folders are private (0700); nginx's workers run as an unprivileged user when started as root.
    if (!OperatingSystem.IsWindows())
    {
        foreach (var dir in new[] { work, www }) File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(www, "script.ipxe"), (UnixFileMode)0b110_100_100);
    }
    var nginxPort = FreePort();
    await File.WriteAllTextAsync(Path.Combine(work, "nginx.conf"), $$"""
        daemon off;
        worker_processes auto;
        pid {{work}}/nginx.pid;
        error_log {{work}}/nginx-error.log;
        events { worker_connections 1024; }
        http {
            access_log off;
            client_body_temp_path {{work}}/tmp; proxy_temp_path {{work}}/tmp; fastcgi_temp_path {{work}}/tmp;
            uwsgi_temp_path {{work}}/tmp; scgi_temp_path {{work}}/tmp;
            default_type text/plain;
            server { listen 127.0.0.1:{{nginxPort}}; root {{www}}; }
        }
        """);
    Directory.CreateDirectory(Path.Combine(work, "tmp"));
    nginx = Process.Start(new ProcessStartInfo(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx", ["-c", Path.Combine(work, "nginx.conf"), "-p", work, "-e", Path.Combine(work, "nginx-error.log")])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
    await WaitForAsync($"http://127.0.0.1:{nginxPort}/script.ipxe");

    // Random available machines, so the portal resolves a different MAC on every request.
    var lua = Path.Combine(work, "machines.lua");
    await File.WriteAllTextAsync(lua, $$"""
        math.randomseed(42)
        request = function()
          local i = math.random(0, {{availableCount - 1}})
          local path = string.format("/netboot/machine.ipxe?mac=02:4e:00:%02x:%02x:%02x&platform=efi", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
          return wrk.format("GET", path)
        end
        """);
    await Wrk(["-t2", "-c" + connections, "-d3s", "-s", lua, portal.BaseUrl]); // warm up JIT, pools, the MAC directory
    var nginxResult = Parse(await Wrk(["-t2", "-c" + connections, $"-d{seconds}s", "--latency", $"http://127.0.0.1:{nginxPort}/script.ipxe"]));
    var portalResult = Parse(await Wrk(["-t2", "-c" + connections, $"-d{seconds}s", "--latency", "-s", lua, portal.BaseUrl]));
    var ratio = portalResult.RequestsPerSecond / nginxResult.RequestsPerSecond;
    Console.WriteLine($"per-machine script, {machineCount:N0} machines in the database, {connections} connections, {seconds} s, {sample.Length} bytes:");
    Console.WriteLine($"  nginx static file : {nginxResult.RequestsPerSecond,10:N0} req/s  p99 {nginxResult.P99Ms,6:F2} ms  errors {nginxResult.Errors}");
    Console.WriteLine($"  portal script     : {portalResult.RequestsPerSecond,10:N0} req/s  p99 {portalResult.P99Ms,6:F2} ms  errors {portalResult.Errors}");
    Console.WriteLine($"  ratio portal/nginx: {ratio:F2} (target >= 0.5), portal p99 {portalResult.P99Ms:F2} ms (target <= 10 ms)");
    if (portalResult.Errors > 0) { Console.WriteLine("  portal answered with errors"); failed = true; }

    // ---- boot storms: every provisioning machine of a storm at once, bootstrap + script + config.
    var writer = portal.Services.GetRequiredService<Portal.Netboot.Serving.DeploymentWriter>();
    var templates = portal.Services.GetRequiredService<Portal.Netboot.Serving.TemplateSetCache>();
    var fetches = portal.Services.GetRequiredService<Portal.Netboot.Serving.DeploymentFetches>();
    for (var round = 0; round < WarmUpRounds; round++)
    {
        const int perRound = warmUpCount / WarmUpRounds;
        await StormAsync(machineCount + bigStormCount + round * perRound, perRound, null, (round + 1) * perRound);
        await JitSettledAsync();
    }
    if (!await StormAsync(availableCount, stormCount, TimeSpan.FromSeconds(3), warmUpCount + stormCount)) failed = true;
    if (bigStormCount > 0 && !await StormAsync(machineCount, bigStormCount, TimeSpan.FromSeconds(10), provisioningCount)) failed = true;

    // Prints the storm's figures with their targets; false on a miss. Timelines are counted over every
    // storm so far (each machine once, with its script and config events).
    async Task<bool> StormAsync(int first, int count, TimeSpan? p99Target, int timelinesExpected)
    {
        using var storm = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            { BaseAddress = new Uri(portal.BaseUrl), Timeout = TimeSpan.FromMinutes(10) };
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        // Database round trips during the storm: Npgsql starts one activity per command or batch sent, EF's,
        // raw ones and Quartz's alike (the host runs in this process).
        long roundTrips = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStarted = _ => Interlocked.Increment(ref roundTrips),
        };
        ActivitySource.AddActivityListener(listener);
        var (batchesBefore, writtenBefore, buildsBefore) = (writer.Batches, writer.Written, templates.Builds);
        var (loadsBefore, fetchedBefore, aloneBefore) = (fetches.Batches, fetches.Fetched, fetches.Alone);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stormClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(first, count).Select(async i =>
        {
            var machineClock = Stopwatch.StartNew();
            try
            {
                var bootstrap = await storm.GetStringAsync("/boot.ipxe");
                if (!bootstrap.StartsWith("#!ipxe", StringComparison.Ordinal)) throw new InvalidOperationException("bad bootstrap");
                var script = await storm.GetStringAsync($"/netboot/machine.ipxe?mac={Mac(i)}&uuid=&serial=SN-BENCH-{i:D5}&buildarch=x86_64&platform=efi");
                var config = Regex.Match(script, @"portal\.ks=(\S+)");
                if (!config.Success) throw new InvalidOperationException("no installer for a provisioning machine: " + script.Split('\n')[1]);
                var text = await storm.GetStringAsync(new Uri(config.Groups[1].Value).PathAndQuery);
                if (!text.Contains($"PORTAL_HOSTNAME='storm-", StringComparison.Ordinal)) throw new InvalidOperationException("bad config");
                latencies.Add(machineClock.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) { errors.Add($"machine {i}: {e.Message}"); }
        }));
        var stormSeconds = stormClock.Elapsed.TotalSeconds;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var stormRoundTrips = Interlocked.Read(ref roundTrips);
        listener.Dispose();
        int served;
        using (var scope = portal.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            served = await db.Deployments.CountAsync(d => d.State == DeploymentState.Active && d.IpxeScript != null
                && db.DeploymentEvents.Count(e => e.DeploymentId == d.Id && e.Phase == "script") == 1
                && db.DeploymentEvents.Count(e => e.DeploymentId == d.Id && e.Phase == "config") == 1);
        }
        var sorted = latencies.Order().ToList();
        var p99 = Percentile(sorted, 0.99);
        var pass = errors.IsEmpty && served == timelinesExpected && p99 <= (p99Target ?? TimeSpan.MaxValue).TotalMilliseconds;
        var target = p99Target is { } t ? $"target <= {t.TotalMilliseconds:F0} ms" : "warm-up, no target";
        Console.WriteLine($"boot storm: {count:N0} machines x (bootstrap + script + config) at once in {stormSeconds:F1} s; per machine p50 {Percentile(sorted, 0.5):F0} ms, " +
                          $"p99 {p99:F0} ms ({target}); errors {errors.Count} (target 0); " +
                          $"timelines with one script and one config event: {served:N0}/{timelinesExpected:N0} (target all) {(pass ? "PASS" : "MISS")}");
        Console.WriteLine($"  database round trips: {stormRoundTrips:N0}, {stormRoundTrips / (3.0 * count):F1} per fetch (3 fetches per machine, everything the host sent meanwhile); " +
                          $"fetches done together: {fetches.Fetched - fetchedBefore:N0} in {fetches.Batches - loadsBefore:N0} batches ({fetches.Alone - aloneBefore:N0} left to be done alone); " +
                          $"writer: {writer.Written - writtenBefore:N0} fetches stored in {writer.Batches - batchesBefore:N0} transactions; template sets built: {templates.Builds - buildsBefore}");
        // CPU of this process (the Portal and the storm's client together): a figure that holds on a busy machine, unlike wall time.
        Console.WriteLine($"  CPU in this process: {cpu.TotalSeconds:F1} s, {cpu.TotalMilliseconds / (3.0 * count):F2} ms per fetch (the Portal and the storm's HTTP client)");
        foreach (var e in errors.Take(5)) Console.WriteLine("  " + e);
        return pass;
    }
}
finally
{
    // The whole tree: killing only the master leaves its workers running, holding the port and the bench lock fd.
    if (nginx is { HasExited: false }) { nginx.Kill(entireProcessTree: true); await nginx.WaitForExitAsync(); }
    await TestPostgres.DropDatabaseAsync(connectionString);
    Directory.Delete(work, recursive: true);
}
return failed ? 1 : 0;

// Tiered compilation recompiles hot methods in the background, in steps: waits until a second passes with no
// method compiled (at most 30 s) and prints how long that took.
static async Task JitSettledAsync()
{
    var clock = Stopwatch.StartNew();
    var count = System.Runtime.JitInfo.GetCompiledMethodCount();
    for (var quiet = 0; quiet < 4 && clock.Elapsed < TimeSpan.FromSeconds(30); )
    {
        await Task.Delay(250);
        var now = System.Runtime.JitInfo.GetCompiledMethodCount();
        quiet = now == count ? quiet + 1 : 0;
        count = now;
    }
    Console.WriteLine($"  JIT settled after {clock.Elapsed.TotalSeconds:F1} s ({count:N0} methods compiled in all)");
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static int FreePort()
{
    var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}

static async Task WaitForAsync(string url)
{
    using var client = new HttpClient();
    for (var i = 0; i < 50; i++)
    {
        try { if ((await client.GetAsync(url)).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
        await Task.Delay(100);
    }
    throw new InvalidOperationException($"nginx did not answer at {url}");
}

static async Task<string> Wrk(string[] arguments)
{
    var start = new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {await process.StandardError.ReadToEndAsync()}");
    return output;
}

static (double RequestsPerSecond, double P99Ms, long Errors) Parse(string wrk)
{
    var rps = double.Parse(Regex.Match(wrk, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    var p99 = Regex.Match(wrk, @"99%\s+([\d.]+)(us|ms|s)\b");
    var value = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture);
    var ms = p99.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    // Non-2xx answers and socket errors both count as errors.
    var non2xx = Regex.Match(wrk, @"Non-2xx or 3xx responses:\s+(\d+)");
    var socket = Regex.Matches(wrk, @"(connect|read|write|timeout) (\d+)").Sum(m => long.Parse(m.Groups[2].Value));
    return (rps, ms, (non2xx.Success ? long.Parse(non2xx.Groups[1].Value) : 0) + socket);
}
