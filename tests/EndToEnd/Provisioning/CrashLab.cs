using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Catalogue;
using Portal.Core.DataProtection;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Redfish;
using Portal.Core.Reservations;
using Portal.Core.Scheduling;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.EndToEnd.Provisioning;

/// <summary>
/// A lab, a database and a Portal process on it, plus the Core services in the test process to
/// onboard the lab, reserve and start runs — writing to the same database and the same Quartz job
/// store, so the Portal process (the only scheduler that runs) carries the runs.
/// </summary>
public sealed class CrashLab : IAsyncDisposable
{
    public static readonly Requester Alice = new("id-alice", "alice", false);

    private readonly string directory = Directory.CreateTempSubdirectory("portal-crash-").FullName;
    public LabFleet Lab { get; private set; } = default!;
    public PortalProcess Portal { get; private set; } = default!;
    public ServiceProvider Services { get; private set; } = default!;
    public HttpClient Http { get; private set; } = default!;
    private string connectionString = "";
    public string SchedulerName { get; private set; } = "";

    /// <summary>The scheduler names the job store holds rows for: the Portal process's and this one's must be one cluster.</summary>
    public Task<List<string>> SchedulerNamesInStoreAsync() => WithDbAsync(db => db.Database
        .SqlQueryRaw<string>("SELECT sched_name AS \"Value\" FROM qrtz_scheduler_state UNION SELECT sched_name FROM qrtz_job_details").ToListAsync());

    /// <param name="slowReset">A BMC whose Reset takes this long (the lab's slow profile); null for an ordinary one.</param>
    public static async Task<CrashLab> StartAsync(string firstAddress, IReadOnlyDictionary<string, string> portalSettings, TimeSpan? slowReset = null)
    {
        var lab = new CrashLab();
        lab.Lab = await LabFleet.StartAsync(new LabOptions
        {
            BmcCount = 1, Profiles = [slowReset is null ? "dell" : "gigabyte"], SlowResetDelay = slowReset,
            FirstAddress = firstAddress, OutputDirectory = lab.directory, Seed = 5,
        });
        lab.connectionString = await TestPostgres.CreateDatabaseAsync("crash");
        // One cluster name for the Portal process and this process's scheduler (same job store rows),
        // unique per lab: Quartz shares schedulers by name within the test process.
        var schedulerName = $"crash-{Guid.NewGuid():N}";
        portalSettings = new Dictionary<string, string>(portalSettings) { ["Scheduler:Name"] = schedulerName };
        lab.Portal = new PortalProcess(lab.connectionString, Directory.CreateDirectory(Path.Combine(lab.directory, "data")).FullName, portalSettings);
        await lab.Portal.StartAsync(); // migrates and seeds the built-in profiles
        lab.Http = new HttpClient { BaseAddress = new Uri(lab.Portal.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(portalSettings.ToDictionary(p => p.Key, p => (string?)p.Value)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortalPersistence(lab.connectionString);
        services.ProtectKeyRingWith(TestKeyRing.CertificatePath); // the Portal process's ring: both read the BMC password
        services.AddDiscovery(configuration);
        services.AddMachineCatalogue(configuration);
        services.AddProvisioningWorkflow(configuration);
        services.AddPortalScheduler(lab.connectionString, schedulerName: schedulerName); // the same job store; this scheduler is never started
        lab.Services = services.BuildServiceProvider();
        lab.SchedulerName = schedulerName;

        var bmc = lab.Lab.Bmcs[0];
        await using var scope = lab.Services.CreateAsyncScope();
        var onboarded = await scope.ServiceProvider.GetRequiredService<BmcOnboarding>().OnboardAsync(
            new DiscoveryCandidate(new BmcEndpoint(bmc.Address.ToString(), bmc.Port), MacAddress.Parse(bmc.Mac), new BmcCredential(bmc.Username, bmc.Password), "crash test"),
            Actor.System, default);
        Assert.Equal(OnboardResult.Inventoried, onboarded.Result);
        return lab;
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>Reserves the lab's first machine for Alice and starts the lab installer on it; returns the deployment and the machine's NIC MAC.</summary>
    public async Task<(long DeploymentId, string Mac)> ReserveAndStartAsync()
    {
        var machine = await WithDbAsync(db => db.Machines.AsNoTracking().OrderBy(m => m.Id).FirstAsync());
        var profileId = await WithDbAsync(db => db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync());
        await using var scope = Services.CreateAsyncScope();
        var reserved = await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync([machine.Id], null, Alice);
        Assert.True(reserved.Succeeded, reserved.Message);
        var started = await scope.ServiceProvider.GetRequiredService<ProvisioningService>().StartAsync(
            new DeploymentRequest(machine.Id, profileId, "crash.lab", [], new Dictionary<string, string>()), Alice);
        Assert.True(started.Outcome.Succeeded, started.Outcome.Message);
        return (started.DeploymentId!.Value, machine.Nics[0].Mac);
    }

    public Task<DeploymentWorkflow> WorkflowAsync(long deploymentId) =>
        WithDbAsync(db => db.DeploymentWorkflows.AsNoTracking().SingleAsync(w => w.DeploymentId == deploymentId));

    /// <summary>Waits until the run is at one of the steps (or has ended), as the Portal process moves it along.</summary>
    public async Task<DeploymentWorkflow> WaitForStepAsync(long deploymentId, TimeSpan timeout, params ProvisioningStep[] steps)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var workflow = await WorkflowAsync(deploymentId);
            if (steps.Contains(workflow.Step) || workflow.IsFinished) return workflow;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Deployment {deploymentId} stayed at {workflow.Step} (attempt {workflow.Attempt}, {workflow.LastError}); Portal output:\n{Portal.Output}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Portal is not null) await Portal.DisposeAsync();
        if (Services is not null) await Services.DisposeAsync();
        if (connectionString.Length > 0) await TestPostgres.DropDatabaseAsync(connectionString);
        if (Lab is not null) await Lab.DisposeAsync();
        Directory.Delete(directory, true);
    }
}
