using Portal.Core.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Catalogue;
using Portal.Core.Credentials;
using Portal.Core.Discovery.Runs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Core.Tests.Catalogue;
using Portal.Lab;
using Portal.TestSupport;
using Quartz;

namespace Portal.Core.Tests.Provisioning;

/// <summary>
/// A lab BMC fleet (127.0.130.x), a migrated database and the workflow's services as the Portal
/// wires them. Quartz is in memory and not started: tests run the steps themselves, one at a time,
/// and play the netboot side by calling the same Core methods the netboot endpoints call.
/// </summary>
public sealed class ProvisioningTestHost : IAsyncDisposable
{
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-wf-lab-").FullName;
    public LabFleet Lab { get; private set; } = default!;
    public ServiceProvider Services { get; private set; } = default!;
    public string ConnectionString { get; private set; } = "";
    public Dictionary<LabSystem, long> Machines { get; } = [];
    public long ProfileId { get; private set; }

    public static readonly Requester Alice = CatalogueTestHost.User("alice");
    public static readonly Requester Bob = CatalogueTestHost.User("bob");

    /// <param name="vendors">Lab vendor profiles of the BMCs ("dell", "hpe"...); two of the default mix when null.</param>
    public static async Task<ProvisioningTestHost> StartAsync(Dictionary<string, string?>? settings = null, string[]? vendors = null)
    {
        var host = new ProvisioningTestHost();
        host.Lab = await LabFleet.StartAsync(new LabOptions
        {
            BmcCount = vendors?.Length ?? 2, Profiles = vendors ?? [], FirstAddress = "127.0.130.1", OutputDirectory = host.labDirectory, Seed = 7,
        });
        host.ConnectionString = await TestPostgres.CreateDatabaseAsync("wf");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Power:ActionTimeout"] = "00:00:10", ["Power:PollInterval"] = "00:00:00.050",
            ["Redfish:RetryBaseDelay"] = "00:00:00.020", ["Redfish:RequestTimeout"] = "00:00:05",
            // Short deadlines: the tests record the netboot events before running a waiting step, so only the timeout tests ever reach them.
            ["Provisioning:ScriptFetchTimeout"] = "00:00:01", ["Provisioning:ConfigFetchTimeout"] = "00:00:01", ["Provisioning:InstallerTimeout"] = "00:00:01",
            ["Provisioning:PollInterval"] = "00:00:00.100", ["Provisioning:BmcAttempts"] = "2", ["Provisioning:BmcRetryDelay"] = "00:00:00.050",
        }).AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortalPersistence(host.ConnectionString);
        services.ProtectKeyRingWith(TestKeyRing.CertificatePath);
        services.AddDiscovery(configuration);
        // A scheduler of its own: Quartz shares schedulers by name within a process, and other test hosts run in parallel.
        services.AddQuartz(q => q.ConfigureScheduler(o => o.InstanceName = $"wf-{Guid.NewGuid():N}"));
        services.AddMachineCatalogue(configuration);
        services.AddProvisioningWorkflow(configuration);
        host.Services = services.BuildServiceProvider();
        await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();

        foreach (var bmc in host.Lab.Bmcs)
        {
            var bmcId = await host.WithDbAsync(async db =>
            {
                var row = Bmc.Discovered(MacAddress.Parse(bmc.Mac).ToString(), bmc.Address.ToString(), bmc.Port, bmc.Https, DateTimeOffset.UtcNow);
                row.UseCredentials(bmc.Username, host.Services.GetRequiredService<CredentialProtector>().Protect(bmc.Password), CredentialSource.Manual);
                row.Inventoried(bmc.Profile.Name, "BMC", "1.0", DateTimeOffset.UtcNow);
                db.Bmcs.Add(row);
                await db.SaveChangesAsync();
                return row.Id;
            });
            foreach (var system in bmc.Systems)
                host.Machines[system] = await host.WithDbAsync(async db =>
                {
                    var machine = Machine.Discovered(bmcId, system.RedfishPath, DateTimeOffset.UtcNow);
                    machine.ApplyFacts(Facts.Of(redfishId: system.RedfishPath, serial: system.Facts.SerialNumber), bmcId, DateTimeOffset.UtcNow);
                    db.Machines.Add(machine);
                    await db.SaveChangesAsync();
                    return machine.Id;
                });
        }
        host.ProfileId = await host.WithDbAsync(async db =>
        {
            var profile = OsProfile.Create("Lab installer", OsInstallerKind.Generic, "/boot-files/lab/vmlinuz", ["/boot-files/lab/initrd"], "console=ttyS0",
                "lab", new Dictionary<string, string>(), builtIn: false, DateTimeOffset.UtcNow);
            db.OsProfiles.Add(profile);
            await db.SaveChangesAsync();
            return profile.Id;
        });
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(ConnectionString);
        await Lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
    }

    public LabSystem System(int bmc = 0) => Lab.Bmcs[bmc].Systems[0];

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public async Task<T> WithProvisioningAsync<T>(Func<ProvisioningService, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ProvisioningService>());
    }

    /// <summary>Reserves the lab system's machine for Alice and starts a deployment; returns its id.</summary>
    public async Task<long> ReserveAndStartAsync(LabSystem system, string hostname = "node1.lab")
    {
        var machineId = await ReserveAsync(system);
        var started = await WithProvisioningAsync(p => p.StartAsync(Request(machineId, hostname), Alice));
        Assert.True(started.Outcome.Succeeded, started.Outcome.Message);
        return started.DeploymentId!.Value;
    }

    public async Task<long> ReserveAsync(LabSystem system)
    {
        var machineId = Machines[system];
        await using var scope = Services.CreateAsyncScope();
        var reserved = await scope.ServiceProvider.GetRequiredService<Reservations.Reservations>().ReserveAsync([machineId], null, Alice);
        Assert.True(reserved.Succeeded, reserved.Message);
        return machineId;
    }

    public Task<Portal.Core.Provisioning.Workflow.ProvisioningService.Started> ReleaseAsync(LabSystem system, long? wipeProfileId = null) =>
        WithProvisioningAsync(p => p.ReleaseAsync(Machines[system], wipeProfileId, Alice));

    public Task<Machine> MachineAsync(LabSystem system) => WithDbAsync(db => db.Machines.AsNoTracking().SingleAsync(m => m.Id == Machines[system]));

    public DeploymentRequest Request(long machineId, string hostname = "node1.lab") =>
        new(machineId, ProfileId, hostname, ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk alice@lab"], new Dictionary<string, string>());

    public Task<DeploymentWorkflow> WorkflowAsync(long deploymentId) =>
        WithDbAsync(db => db.DeploymentWorkflows.AsNoTracking().SingleAsync(w => w.DeploymentId == deploymentId));

    public Task<Deployment> DeploymentAsync(long deploymentId) =>
        WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Machine).Include(d => d.Events).SingleAsync(d => d.Id == deploymentId));

    /// <summary>
    /// Runs steps as the job would, honouring the time each asks to run again, until the run is at
    /// <paramref name="step"/> or has ended. The iteration cap only keeps a broken run from hanging the suite.
    /// </summary>
    public async Task<DeploymentWorkflow> DriveUntilAsync(long deploymentId, ProvisioningStep step)
    {
        var runner = Services.GetRequiredService<ProvisioningStepRunner>();
        for (var i = 0; i < 500; i++)
        {
            var workflow = await WorkflowAsync(deploymentId);
            if (workflow.Step == step || workflow.IsFinished) return workflow;
            var next = await runner.RunStepAsync(deploymentId, default);
            if (next is { } at && at > DateTimeOffset.UtcNow) await Task.Delay(at - DateTimeOffset.UtcNow);
        }
        throw new InvalidOperationException($"Deployment {deploymentId} never reached {step}.");
    }

    /// <summary>Plays a healthy machine: script, config, done, each recorded before the step that waits for it runs.</summary>
    public async Task<DeploymentWorkflow> PlayInstallAsync(long deploymentId, ProvisioningStep until = ProvisioningStep.Deployed)
    {
        await DriveUntilAsync(deploymentId, ProvisioningStep.WaitForScriptFetch);
        await NetbootFetchAsync(deploymentId, "script");
        await DriveUntilAsync(deploymentId, ProvisioningStep.WaitForConfigFetch);
        await NetbootFetchAsync(deploymentId, "config");
        await DriveUntilAsync(deploymentId, ProvisioningStep.WaitForInstallerDone);
        await InstallerDoneAsync(deploymentId);
        return await DriveUntilAsync(deploymentId, until);
    }

    public Task<DateTimeOffset?> StepAsync(long deploymentId) => Services.GetRequiredService<ProvisioningStepRunner>().RunStepAsync(deploymentId, default);

    // ---- The netboot side, through the same Deployment methods the netboot endpoints call ----

    public Task NetbootFetchAsync(long deploymentId, string phase) => ChangeAsync(deploymentId, (d, now) =>
        d.RecordEvent(DeploymentEventKind.Netboot, phase, $"Served the {phase} (test)", null, null, now));

    public Task InstallerDoneAsync(long deploymentId) => ChangeAsync(deploymentId, (d, now) =>
    {
        d.RecordEvent(DeploymentEventKind.Installer, "done", "installed", 100, null, now);
        d.Finish(now);
    });

    public Task InstallerFailedAsync(long deploymentId, string message) => ChangeAsync(deploymentId, (d, now) =>
    {
        d.RecordEvent(DeploymentEventKind.Installer, "failed", message, null, null, now);
        d.Fail(message, now);
    });

    private Task ChangeAsync(long deploymentId, Action<Deployment, DateTimeOffset> change) => WithDbAsync(async db =>
    {
        var deployment = await db.Deployments.Include(d => d.Machine).SingleAsync(d => d.Id == deploymentId);
        change(deployment, DateTimeOffset.UtcNow);
        return await db.SaveChangesAsync();
    });
}
