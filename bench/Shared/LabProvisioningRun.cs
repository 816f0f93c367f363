using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Redfish;
using Portal.Core.Reservations;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.Bench;

/// <summary>What one <see cref="LabProvisioningRun"/> provisions, and how.</summary>
/// <param name="Name">Prefix of every printed line ("provisioning bench", "lab bench").</param>
/// <param name="Machines">Lab machines (one per BMC) provisioned at once.</param>
/// <param name="Limit">Provisioning:MaxConcurrent of the Portal under test.</param>
/// <param name="FirstAddress">The lab's first BMC address: a 127.x range of the bench's own.</param>
/// <param name="InstallerPace">LabOptions.InstallerPace: time between two phone-home events of each simulated installer.</param>
/// <param name="QueuePollInterval">Provisioning:QueuePollInterval: how often a queued run looks for a free slot.</param>
/// <param name="PollInterval">Provisioning:PollInterval: how often a run waiting on its machine looks again (the machine's acts wake it sooner).</param>
internal sealed record LabProvisioningSettings(string Name, int Machines, int Limit, string FirstAddress, TimeSpan InstallerPace, TimeSpan QueuePollInterval, TimeSpan PollInterval);

/// <summary>
/// Provisions lab machines through the real Portal host, the way production does it end to end:
/// every run goes queue → power off → one-time PXE → power on over Redfish, and the lab system's
/// simulated firmware (LabOptions.SimulatedNetbootUrl = this Portal) then fetches its iPXE script,
/// boots the installer, which fetches its config and posts its events, until the run is Deployed.
/// The bench only starts the runs and watches the database. Prints wall time, peak runs going at
/// once (never above the admission limit), how many reached Deployed, and the errors of both sides.
/// </summary>
internal static class LabProvisioningRun
{
    /// <summary>Blades put four systems behind one BMC; every other profile has one, so machines = BMCs.</summary>
    private static readonly string[] OneSystemProfiles = ["dell", "hpe", "lenovo", "supermicro", "gigabyte"];

    public static async Task<bool> RunAsync(LabProvisioningSettings s)
    {
        var work = Directory.CreateTempSubdirectory("portal-lab-provisioning-").FullName;
        var connectionString = await TestPostgres.CreateDatabaseAsync("labprov");
        var labErrors = new LabErrorLog();
        try
        {
            // The lab installer's kernel and initrd as the Portal serves them once built (scripts/build-lab-installer.sh):
            // placeholders here, so the bench needs no build; each machine downloads them from the Portal all the same.
            var bootFiles = Path.Combine(work, "boot-files");
            foreach (var file in new[] { "lab-installer/vmlinuz", "lab-installer/initrd.img" })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(bootFiles, file))!);
                File.WriteAllBytes(Path.Combine(bootFiles, file), new byte[64 * 1024]);
            }
            // The Portal first: the lab's firmware needs its URL.
            await using var portal = new PortalUnderTest(connectionString, Directory.CreateDirectory(Path.Combine(work, "data")).FullName, new Dictionary<string, string>
            {
                ["Netboot:BootFilesDirectory"] = bootFiles,
                ["Provisioning:MaxConcurrent"] = s.Limit.ToString(),
                ["Provisioning:PollInterval"] = s.PollInterval.ToString("c"),
                ["Provisioning:QueuePollInterval"] = s.QueuePollInterval.ToString("c"),
                ["Power:PollInterval"] = "00:00:00.100",
                // A machine that never fetches (lab side) fails its run with the reason in minutes, not the default 15.
                ["Provisioning:ScriptFetchTimeout"] = "00:02:00", ["Provisioning:ConfigFetchTimeout"] = "00:02:00",
            });
            portal.Start();
            using var loggers = LoggerFactory.Create(b => b.AddProvider(labErrors).SetMinimumLevel(LogLevel.Information));
            var clock = Stopwatch.StartNew();
            await using var lab = await LabFleet.StartAsync(new LabOptions
            {
                BmcCount = s.Machines, FirstAddress = s.FirstAddress, OutputDirectory = work, Seed = 3, Profiles = OneSystemProfiles,
                SimulatedNetbootUrl = portal.BaseUrl, InstallerPace = s.InstallerPace, SlowResetDelay = TimeSpan.FromSeconds(1),
            }, loggers);
            Console.WriteLine($"{s.Name}: {s.Machines} lab machines (simulated firmware → {portal.BaseUrl}, installer pace {s.InstallerPace.TotalMilliseconds:F0} ms, 64 KiB kernel and initrd) started in {clock.Elapsed.TotalSeconds:F1} s");

            clock.Restart();
            var requester = new Requester("bench-user", "bench", IsOperator: false);
            var (machines, profileId) = await OnboardAndReserveAsync(portal, lab, requester);
            Console.WriteLine($"{s.Name}: {machines.Count} machines onboarded through the Portal (Redfish inventory) and reserved in {clock.Elapsed.TotalSeconds:F1} s");

            clock.Restart();
            var deployments = new ConcurrentBag<long>();
            await Parallel.ForEachAsync(machines, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            {
                await using var scope = portal.Services.CreateAsyncScope();
                var started = await scope.ServiceProvider.GetRequiredService<ProvisioningService>().StartAsync(
                    new DeploymentRequest(id, profileId, $"bench-{id}.lab", [], new Dictionary<string, string>()), requester);
                if (!started.Outcome.Succeeded) throw new InvalidOperationException($"machine {id}: {started.Outcome.Message}");
                deployments.Add(started.DeploymentId!.Value);
            });
            Console.WriteLine($"{s.Name}: started {deployments.Count} deployments in {clock.Elapsed.TotalSeconds:F1} s (admission limit {s.Limit}, queue poll {s.QueuePollInterval.TotalSeconds:0.###} s, wait poll {s.PollInterval.TotalSeconds:0.###} s)");

            var outcome = await WatchAsync(portal, deployments.Count, s.Machines, clock);
            var wall = clock.Elapsed.TotalSeconds;

            Console.WriteLine($"{s.Name}: {outcome.Deployed}/{deployments.Count} Deployed, {outcome.Failed} Failed, {outcome.Unfinished} unfinished; wall time {wall:F1} s " +
                $"(per deployment, queue included: p50 {outcome.P50:F1} s, max {outcome.Max:F1} s); installer pace {s.InstallerPace.TotalMilliseconds:F0} ms");
            Console.WriteLine($"{s.Name}: peak runs going at once: {outcome.Peak} (limit {s.Limit}) — {(outcome.Peak <= s.Limit ? "respected" : "EXCEEDED")}");
            foreach (var (reason, n) in outcome.Failures.Take(5)) Console.WriteLine($"{s.Name}:   Failed ×{n}: {reason}");
            Console.WriteLine($"{s.Name}: errors: {outcome.Failed + outcome.Unfinished} runs not Deployed, {labErrors.Count} lab warnings/errors");
            foreach (var line in labErrors.First) Console.WriteLine($"{s.Name}:   lab: {line}");

            var pass = outcome.Deployed == deployments.Count && outcome.Peak <= s.Limit && labErrors.Count == 0;
            Console.WriteLine($"{s.Name}: {(pass ? "PASS" : "FAIL")}");
            return pass;
        }
        catch (Exception e)
        {
            Console.WriteLine($"{s.Name} failed: {e.GetType().Name}: {e.Message}");
            return false;
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    /// <summary>One machine per lab BMC, onboarded as a discovery does it and reserved as a user would.</summary>
    private static async Task<(List<long> Machines, long ProfileId)> OnboardAndReserveAsync(PortalUnderTest portal, LabFleet lab, Requester requester)
    {
        await Parallel.ForEachAsync(lab.Bmcs, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (bmc, ct) =>
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<BmcOnboarding>().OnboardAsync(
                new DiscoveryCandidate(new BmcEndpoint(bmc.Address.ToString(), bmc.Port), MacAddress.Parse(bmc.Mac), new BmcCredential(bmc.Username, bmc.Password), "bench"), Actor.System, ct);
            if (outcome.Result != OnboardResult.Inventoried) throw new InvalidOperationException($"{bmc.Address}: {outcome.Result} {outcome.Issue}");
        });
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var machines = await db.Machines.OrderBy(m => m.Id).Select(m => m.Id).ToListAsync();
        var profileId = await db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync();
        foreach (var batch in machines.Chunk(100)) // the Portal's limit per reservation
        {
            var reserved = await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync(batch, null, requester);
            if (!reserved.Succeeded) throw new InvalidOperationException(reserved.Message);
        }
        return (machines, profileId);
    }

    private sealed record Outcome(int Deployed, int Failed, int Unfinished, int Peak, double P50, double Max, List<(string Reason, int Count)> Failures);

    /// <summary>
    /// One query at a time against the Portal's database (not one per run, which would compete with
    /// the Portal for connections): the peak number of admitted runs, until every run has ended.
    /// </summary>
    private static async Task<Outcome> WatchAsync(PortalUnderTest portal, int runs, int machines, Stopwatch clock)
    {
        // Generous: 1,000 runs at 20 at once take minutes; a stuck run shows as unfinished.
        var deadline = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(machines);
        var peak = 0;
        var nextReport = TimeSpan.FromSeconds(15);
        while (true)
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var steps = await db.DeploymentWorkflows.GroupBy(w => w.Step).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
            peak = Math.Max(peak, steps.Where(x => x.Key.IsAdmitted()).Sum(x => x.Count));
            var finished = steps.Where(x => x.Key.IsTerminal()).Sum(x => x.Count);
            if (clock.Elapsed > nextReport)
            {
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s: " + string.Join(", ", steps.OrderBy(x => x.Key).Select(x => $"{x.Key} {x.Count}")));
                while (nextReport < clock.Elapsed) nextReport += TimeSpan.FromSeconds(15);
            }
            if (finished >= runs || clock.Elapsed > deadline)
            {
                var ended = await db.DeploymentWorkflows.AsNoTracking().Where(w => w.Step == ProvisioningStep.Deployed || w.Step == ProvisioningStep.Failed)
                    .Select(w => new { w.Step, w.LastError, w.CreatedAt, w.UpdatedAt }).ToListAsync();
                var durations = ended.Where(w => w.Step == ProvisioningStep.Deployed).Select(w => (w.UpdatedAt - w.CreatedAt).TotalSeconds).Order().ToArray();
                var failures = ended.Where(w => w.Step == ProvisioningStep.Failed).GroupBy(w => w.LastError ?? "(no reason)")
                    .Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ToList();
                return new Outcome(durations.Length, failures.Sum(f => f.Item2), runs - finished, peak,
                    durations.Length > 0 ? durations[durations.Length / 2] : 0, durations.Length > 0 ? durations[^1] : 0, failures);
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Counts the lab's warnings and errors and keeps the first few. The simulated firmware logs a
    /// fetch the Portal refused or an event it did not take at Information (that is what the machine
    /// saw, not a lab fault), so those count too, by the words it logs them with.
    /// </summary>
    private sealed class LabErrorLog : ILoggerProvider
    {
        private int count;
        private readonly ConcurrentQueue<string> first = new();

        public int Count => count;
        public IEnumerable<string> First => first;

        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private void Add(string message)
        {
            if (Interlocked.Increment(ref count) <= 5) first.Enqueue(message);
        }

        private sealed class Logger(LabErrorLog log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                if (logLevel >= LogLevel.Warning || message.Contains(" failed: ") || message.Contains(" answered ") || message.Contains("not delivered"))
                    log.Add($"{logLevel}: {message}");
            }
        }
    }
}
