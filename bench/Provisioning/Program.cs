// 20 concurrent deployments against lab BMCs, with simulated netboot clients instead of VMs:
// every run goes queue → power off → one-time PXE → power on → script → config → installer
// events → clear override → Deployed through the real Portal host (Quartz, Redfish over HTTPS,
// netboot endpoints). Prints the wall time and the peak number of runs going at once, which must
// never exceed the admission limit. Args: [deployments=20] [limit=8].
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Redfish;
using Portal.Core.Reservations;
using Portal.Lab;
using Portal.Bench;
using Portal.TestSupport;

var count = args.Length > 0 ? int.Parse(args[0]) : 20;
var limit = args.Length > 1 ? int.Parse(args[1]) : 8;
var work = Directory.CreateTempSubdirectory("portal-prov-bench-").FullName;
var connectionString = await TestPostgres.CreateDatabaseAsync("provbench");
var failed = false;
try
{
    await using var lab = await LabFleet.StartAsync(new LabOptions { BmcCount = count, FirstAddress = "127.4.0.1", OutputDirectory = work, Seed = 3,
        Profiles = ["dell", "hpe", "lenovo", "supermicro", "gigabyte"] });
    await using var portal = new PortalUnderTest(connectionString, Directory.CreateDirectory(Path.Combine(work, "data")).FullName, new Dictionary<string, string>
    {
        ["Provisioning:MaxConcurrent"] = limit.ToString(),
        ["Provisioning:PollInterval"] = "00:00:00.200", ["Provisioning:QueuePollInterval"] = "00:00:00.200",
        ["Power:PollInterval"] = "00:00:00.100",
    });
    portal.Start();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(portal.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
    var requester = new Requester("bench-user", "bench", IsOperator: false);

    // One machine per lab BMC, onboarded and reserved as a discovery and a user would.
    await Parallel.ForEachAsync(lab.Bmcs, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (bmc, ct) =>
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<BmcOnboarding>().OnboardAsync(
            new DiscoveryCandidate(new BmcEndpoint(bmc.Address.ToString(), bmc.Port), MacAddress.Parse(bmc.Mac), new BmcCredential(bmc.Username, bmc.Password), "bench"), Actor.System, ct);
        if (outcome.Result != OnboardResult.Inventoried) throw new InvalidOperationException($"{bmc.Address}: {outcome.Result} {outcome.Issue}");
    });
    List<(long Id, string Mac)> machines;
    long profileId;
    await using (var scope = portal.Services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        machines = (await db.Machines.AsNoTracking().OrderBy(m => m.Id).ToListAsync()).Take(count).Select(m => (m.Id, m.Nics[0].Mac)).ToList();
        profileId = await db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync();
        var reserved = await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync(machines.Select(m => m.Id).ToList(), null, requester);
        if (!reserved.Succeeded) throw new InvalidOperationException(reserved.Message);
    }

    var clock = Stopwatch.StartNew();
    var runs = new List<(long DeploymentId, string Mac)>();
    foreach (var (id, mac) in machines)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var started = await scope.ServiceProvider.GetRequiredService<ProvisioningService>().StartAsync(
            new DeploymentRequest(id, profileId, $"bench-{id}.lab", [], new Dictionary<string, string>()), requester);
        if (!started.Outcome.Succeeded) throw new InvalidOperationException(started.Outcome.Message);
        runs.Add((started.DeploymentId!.Value, mac));
    }
    Console.WriteLine($"started {runs.Count} deployments in {clock.Elapsed.TotalSeconds:F1} s (admission limit {limit})");

    // Watch the runs: the peak number admitted at once, and when each ends.
    var peak = 0;
    using var stop = new CancellationTokenSource();
    var watcher = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var going = await db.DeploymentWorkflows.CountAsync(w => Admission.AdmittedSteps.Contains(w.Step));
            peak = Math.Max(peak, going);
            await Task.Delay(20);
        }
    });

    // Each simulated machine waits until its BMC powered it on, then netboots and installs.
    var durations = await Task.WhenAll(runs.Select(async run =>
    {
        var machineClock = Stopwatch.StartNew();
        await WaitForAsync(portal, run.DeploymentId, ProvisioningStep.WaitForScriptFetch);
        await new SimulatedInstaller(http, run.Mac).InstallAsync();
        var end = await WaitForAsync(portal, run.DeploymentId, ProvisioningStep.Deployed);
        if (end.Step != ProvisioningStep.Deployed) throw new InvalidOperationException($"deployment {run.DeploymentId} ended {end.Step}: {end.LastError}");
        return machineClock.Elapsed.TotalSeconds;
    }));
    var wall = clock.Elapsed.TotalSeconds;
    stop.Cancel();
    await watcher;

    Array.Sort(durations);
    Console.WriteLine($"{count} deployments: all Deployed in {wall:F1} s wall time; per deployment p50 {durations[count / 2]:F1} s, max {durations[^1]:F1} s");
    Console.WriteLine($"  peak runs going at once: {peak} (limit {limit}) — {(peak <= limit ? "respected" : "EXCEEDED")}");
    if (peak > limit) failed = true;
}
catch (Exception e)
{
    Console.WriteLine($"provisioning bench failed: {e.Message}");
    failed = true;
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
    Directory.Delete(work, true);
}
return failed ? 1 : 0;

static async Task<DeploymentWorkflow> WaitForAsync(PortalUnderTest portal, long deploymentId, ProvisioningStep step)
{
    var deadline = DateTime.UtcNow.AddMinutes(5);
    while (true)
    {
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var workflow = await scope.ServiceProvider.GetRequiredService<AppDbContext>().DeploymentWorkflows.AsNoTracking().SingleAsync(w => w.DeploymentId == deploymentId);
            if (workflow.Step == step || workflow.IsFinished) return workflow;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"deployment {deploymentId} stuck at {workflow.Step}");
        }
        await Task.Delay(100);
    }
}
