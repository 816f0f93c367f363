// BMC load bench (issue 16 item 3): N lab BMCs onboarded into the real Portal host, then left at
// rest for a while. Single-system vendor profiles only (a blade BMC has four systems, and the
// steady-state cost is one GET per system per refresh): dell, lenovo and gigabyte offer the
// Redfish server-sent event stream, hpe and supermicro do not.
// Prints, each with its target, from the lab's own counters over the rest window (warm-up —
// onboarding, first logins, streams opening — not counted):
//   requests per BMC per hour with events ≤ 15, without ≤ 130; sessions created per BMC per hour ≤ 1;
// then changes power on some machines through the lab's control API (behind the Portal's back)
// and times until the Portal's database shows it: ≤ 2 s with events, ≤ one poll interval without.
//   dotnet run -c Release -- [bmcs=500] [restMinutes=10] [changesPerKind=20]
// Exits 1 when a figure misses its target.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Bench;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Power;
using Portal.Core.Redfish;
using Portal.Lab;
using Portal.TestSupport;

var bmcCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var restMinutes = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var changesPerKind = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
var pollInterval = new PowerOptions().RefreshInterval; // what operators get
string[] profiles = ["dell", "hpe", "lenovo", "supermicro", "gigabyte"];

var work = Directory.CreateTempSubdirectory("portal-bmc-bench-").FullName;
var connectionString = await TestPostgres.CreateDatabaseAsync("bmcbench");
var failed = false;
try
{
    await using var portal = new PortalUnderTest(connectionString, Directory.CreateDirectory(Path.Combine(work, "data")).FullName, new Dictionary<string, string>
    {
        // Every due machine in one refresh run (the default batch of 200 spreads a fleet this size over runs).
        ["Power:RefreshBatchSize"] = "1000",
    });
    portal.Start();
    await using var lab = await LabFleet.StartAsync(new LabOptions
    {
        BmcCount = bmcCount, FirstAddress = "127.6.0.1", OutputDirectory = work, Seed = 16, Profiles = profiles,
        SlowResetDelay = TimeSpan.Zero, // a power change is one state change, so "shows in the Portal" has one meaning
    });
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(lab.Bmcs, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (bmc, ct) =>
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<BmcOnboarding>().OnboardAsync(
            new DiscoveryCandidate(new BmcEndpoint(bmc.Address.ToString(), bmc.Port), MacAddress.Parse(bmc.Mac), new BmcCredential(bmc.Username, bmc.Password), "bench"), Actor.System, ct);
        if (outcome.Result != OnboardResult.Inventoried) throw new InvalidOperationException($"{bmc.Address}: {outcome.Result} {outcome.Issue}");
    });
    var streamed = lab.Bmcs.Where(b => b.Profile.ServerSentEvents).ToList();
    var polled = lab.Bmcs.Where(b => !b.Profile.ServerSentEvents).ToList();
    Console.WriteLine($"bmc bench: {bmcCount} lab BMCs onboarded in {clock.Elapsed.TotalSeconds:F0} s ({streamed.Count} with an event stream, {polled.Count} without); poll interval {pollInterval.TotalSeconds:F0} s");

    // Warm-up: every stream open and every machine read by the refresh job at least once, then one more refresh run.
    var evented = portal.Services.GetRequiredService<EventedBmcs>();
    var machineOf = await MachinesAsync(portal, lab);
    await WaitAsync(() => Task.FromResult(streamed.All(b => b.Stats.EventStreams == 1) && evented.Snapshot().Length == streamed.Count), "every event stream open", TimeSpan.FromMinutes(3));
    await WaitAsync(async () => await UncheckedAsync(portal) == 0, "every machine read once", TimeSpan.FromMinutes(3));
    var sessionsAtStart = lab.Bmcs.Sum(b => b.Stats.SessionsCreated);
    await Task.Delay(pollInterval + TimeSpan.FromSeconds(5));
    Console.WriteLine($"bmc bench: warm-up done after {clock.Elapsed.TotalSeconds:F0} s ({sessionsAtStart} sessions created during onboarding and warm-up, onboarding's own included)");

    // At rest.
    lab.ResetStats();
    var rest = TimeSpan.FromMinutes(restMinutes);
    var restClock = Stopwatch.StartNew();
    await Task.Delay(rest);
    var hours = restClock.Elapsed.TotalHours;
    double PerBmcHour(IReadOnlyList<LabBmc> group, Func<LabBmc, long> what) => group.Sum(what) / (double)group.Count / hours;
    var streamedRequests = PerBmcHour(streamed, b => b.Stats.Requests);
    var polledRequests = PerBmcHour(polled, b => b.Stats.Requests);
    var sessions = PerBmcHour(lab.Bmcs, b => b.Stats.SessionsCreated);
    Console.WriteLine($"bmc bench: at rest for {restClock.Elapsed.TotalMinutes:F1} min:");
    failed |= !Report("requests per BMC per hour, with events", streamedRequests, 15, "F1");
    failed |= !Report("requests per BMC per hour, without events", polledRequests, 130, "F1");
    failed |= !Report("sessions created per BMC per hour", sessions, 1, "F2");
    var streamsStillOpen = streamed.Count(b => b.Stats.EventStreams == 1);
    Console.WriteLine($"  event streams open at the end: {streamsStillOpen}/{streamed.Count}");

    // Power changed behind the Portal's back, a sample of each kind at once.
    using var control = new HttpClient { BaseAddress = lab.ControlUri };
    var sample = streamed.Take(changesPerKind).Concat(polled.Take(changesPerKind)).ToList();
    var started = Stopwatch.StartNew();
    var seen = new Dictionary<LabBmc, double>();
    await Task.WhenAll(sample.Select(async b =>
    {
        using var response = await control.PostAsJsonAsync($"/lab/bmcs/{b.Index}/systems/{b.Systems[0].Id}/power", new { resetType = "On" });
        response.EnsureSuccessStatusCode();
    }));
    var ids = sample.ToDictionary(b => machineOf[b.Index], b => b);
    while (seen.Count < sample.Count && started.Elapsed < pollInterval * 3)
    {
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var on = await db.Machines.Where(m => ids.Keys.Contains(m.Id) && m.PowerState == "On").Select(m => m.Id).ToListAsync();
            foreach (var id in on) seen.TryAdd(ids[id], started.Elapsed.TotalSeconds);
        }
        await Task.Delay(50);
    }
    double Worst(IEnumerable<LabBmc> group) => group.Select(b => seen.TryGetValue(b, out var s) ? s : double.PositiveInfinity).Max();
    double Median(IEnumerable<LabBmc> group)
    {
        var sorted = group.Select(b => seen.TryGetValue(b, out var s) ? s : double.PositiveInfinity).Order().ToList();
        return sorted[sorted.Count / 2];
    }
    var streamedSample = sample.Where(b => b.Profile.ServerSentEvents).ToList();
    var polledSample = sample.Where(b => !b.Profile.ServerSentEvents).ToList();
    Console.WriteLine($"bmc bench: power changed behind the Portal's back on {streamedSample.Count} + {polledSample.Count} machines at once (median with events {Median(streamedSample):F2} s, without {Median(polledSample):F1} s):");
    failed |= !Report("slowest to show, with events (s)", Worst(streamedSample), 2, "F2");
    failed |= !Report("slowest to show, without events (s)", Worst(polledSample), pollInterval.TotalSeconds, "F1");
}
catch (Exception e)
{
    Console.WriteLine($"bmc bench failed: {e.GetType().Name}: {e.Message}");
    failed = true;
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
    try { Directory.Delete(work, true); } catch (IOException) { }
}
Console.WriteLine($"bmc bench: {(failed ? "MISS" : "PASS")}");
return failed ? 1 : 0;

static bool Report(string what, double value, double target, string format)
{
    var ok = value <= target;
    Console.WriteLine($"  {what,-45} {value.ToString(format, CultureInfo.InvariantCulture),8}  (target ≤ {target.ToString(CultureInfo.InvariantCulture)})  {(ok ? "PASS" : "MISS")}");
    return ok;
}

static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
{
    var deadline = Stopwatch.StartNew();
    while (!await condition())
    {
        if (deadline.Elapsed > timeout) throw new TimeoutException($"Still waiting after {timeout.TotalMinutes:F0} min for: {what}");
        await Task.Delay(200);
    }
}

static async Task<int> UncheckedAsync(PortalUnderTest portal)
{
    await using var scope = portal.Services.CreateAsyncScope();
    return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.CountAsync(m => m.PowerCheckedAt == null);
}

// Lab BMC index → Portal machine id, matched by the BMC's address (one system per BMC here).
static async Task<Dictionary<int, long>> MachinesAsync(PortalUnderTest portal, LabFleet lab)
{
    await using var scope = portal.Services.CreateAsyncScope();
    var byAddress = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines
        .Select(m => new { m.Bmc!.Address, m.Id }).ToDictionaryAsync(m => m.Address, m => m.Id);
    return lab.Bmcs.ToDictionary(b => b.Index, b => byAddress[b.Address.ToString()]);
}
