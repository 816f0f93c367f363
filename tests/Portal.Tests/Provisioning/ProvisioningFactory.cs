using Portal.TestSupport;
using Portal.Core.Provisioning.Workflow;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Users;
using Portal.Lab;
using Portal.Tests.Support;

namespace Portal.Tests.Provisioning;

/// <summary>
/// The real Portal (with its Quartz scheduler) on its own database, and lab BMCs on 127.0.140.x
/// whose systems are machines in that database. Netboot waits are long here, so a started run
/// stays at "wait for the iPXE script fetch" until a test plays the machine (or cancels).
/// Shared by the provisioning test classes (one host, one lab); each test takes machines of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProvisioningCollection : ICollectionFixture<ProvisioningFactory>
{
    public const string Name = "provisioning portal";
}

public class ProvisioningFactory : PortalFactory, IAsyncLifetime
{
    public const string Password = "User-Passw0rd-1";

    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-prov-lab-").FullName;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<LabBmc, long> bmcIds = [];
    private int nextSystem;

    public LabFleet Lab { get; private set; } = default!;
    public Dictionary<long, LabSystem> Systems { get; } = [];

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Lab = await StartLabAsync(labDirectory);
    }

    /// <summary>The lab whose systems the tests provision (started once the database is there).</summary>
    protected virtual Task<LabFleet> StartLabAsync(string directory) =>
        LabFleet.StartAsync(new LabOptions { BmcCount = 32, FirstAddress = "127.0.140.1", OutputDirectory = directory, Seed = 14 });

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
        await DisposedAsync();
    }

    /// <summary>After the host and the lab have stopped (a host on a database server of its own stops that here).</summary>
    protected virtual Task DisposedAsync() => Task.CompletedTask;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Provisioning:ScriptFetchTimeout", "00:30:00");
        builder.UseSetting("Provisioning:PollInterval", "00:00:00.200");
        builder.UseSetting("Provisioning:BmcRetryDelay", "00:00:00.050");
        builder.UseSetting("Power:PollInterval", "00:00:00.050");
        builder.UseSetting("Redfish:RetryBaseDelay", "00:00:00.020");
    }

    /// <summary>The next unused lab system as a machine in the database (Available), with its BMC's real credentials.</summary>
    public async Task<long> AddMachineAsync(string bootMode = "UEFI")
    {
        await gate.WaitAsync();
        try
        {
            var systems = Lab.Bmcs.SelectMany(b => b.Systems).ToList();
            var system = systems[nextSystem++];
            using var scope = Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = DateTimeOffset.UtcNow;
            if (!bmcIds.TryGetValue(system.Bmc, out var bmcId))
            {
                var bmc = Bmc.Discovered(MacAddress.Parse(system.Bmc.Mac).ToString(), system.Bmc.Address.ToString(), system.Bmc.Port, system.Bmc.Https, now);
                bmc.UseCredentials(system.Bmc.Username, scope.ServiceProvider.GetRequiredService<CredentialProtector>().Protect(system.Bmc.Password), CredentialSource.Manual);
                bmc.Inventoried(system.Bmc.Profile.Name, "BMC", "1.0", now);
                db.Bmcs.Add(bmc);
                await db.SaveChangesAsync();
                bmcIds[system.Bmc] = bmcId = bmc.Id;
            }
            var f = system.Facts;
            var machine = Machine.Discovered(bmcId, system.RedfishPath, now);
            machine.ApplyFacts(new MachineFacts(system.RedfishPath, f.Uuid, f.SerialNumber, f.Manufacturer, f.Model, "x86_64", bootMode, f.BiosVersion,
                f.CpuModel, f.Sockets, f.TotalCores, f.TotalThreads, f.MemoryBytes, [], f.Nics.Select(n => new MachineNic(n.Mac, n.SpeedMbps, n.Id)).ToList(), [], "Off"),
                bmcId, now);
            db.Machines.Add(machine);
            await db.SaveChangesAsync();
            Systems[machine.Id] = system;
            return machine.Id;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The machine's netboot and installer played over HTTP against this Portal (as from the machine's own address).</summary>
    public SimulatedInstaller InstallerOf(long machineId) => new(CreateClient(), Systems[machineId].Facts.Nics[0].Mac);

    /// <summary>A new user (for bUnit tests, which sign in with its id) and an API client acting as them.</summary>
    public async Task<Member> MemberAsync(string name, string role = Roles.User)
    {
        var email = $"{name}@test.local";
        var user = await this.CreateUserAsync(email, Password, role);
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (token, secret) = ApiToken.Create(user.Id, "test", DateTimeOffset.UtcNow, null);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync();
        return new Member(user.Id, email, role, this.Api(secret));
    }

    /// <summary>A signed-in browser and an API client for a new user.</summary>
    public async Task<(HttpClient Browser, HttpClient Api)> UserAsync(string name, string role = Roles.User)
    {
        var member = await MemberAsync(name, role);
        return (await this.SignedInAsync(member.Email, Password), member.Api);
    }

    /// <summary>Starts a run on <paramref name="machineId"/> through the API (as the machine's holder) and waits until it waits for the machine.</summary>
    public async Task<long> StartAsync(HttpClient api, long machineId, string hostname)
    {
        var started = await api.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId = await LabInstallerIdAsync(), hostname });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await WaitForStepAsync(api, id, "WaitForScriptFetch");
        return id;
    }

    /// <summary>New machines, reserved by the API client's user.</summary>
    public async Task<List<long>> ReservedAsync(HttpClient api, int count = 1, string bootMode = "UEFI")
    {
        var ids = new List<long>();
        for (var i = 0; i < count; i++) ids.Add(await AddMachineAsync(bootMode));
        var reserved = await api.PostAsJsonAsync("/api/v1/reservations", new { machineIds = ids });
        Assert.Equal(HttpStatusCode.OK, reserved.StatusCode);
        return ids;
    }

    public Task<long> LabInstallerIdAsync() => ProfileIdAsync("Lab installer");

    public Task<long> ProfileIdAsync(string name) => WithDbAsync(db => db.OsProfiles.Where(p => p.Name == name).Select(p => p.Id).SingleAsync());

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        using var scope = Services.CreateScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public Task<Deployment> DeploymentAsync(long id) =>
        WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Machine).SingleAsync(d => d.Id == id));

    /// <summary>
    /// Polls the API until the run is at <paramref name="step"/> or its run has ended. The run's end, not the
    /// deployment's: the installer's done ends the deployment while the run still clears the override or powers
    /// off. The limit only keeps a broken run from hanging the suite.
    /// </summary>
    public static async Task<JsonElement> WaitForStepAsync(HttpClient api, long id, string step)
    {
        for (var i = 0; i < 600; i++)
        {
            var detail = await api.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{id}");
            var current = detail.GetProperty("step").GetString();
            if (current == step || (Enum.TryParse<ProvisioningStep>(current, out var s) && s.IsTerminal())) return detail;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Deployment {id} never reached {step}.");
    }
}

/// <summary>A test user: its id and email (to sign in a bUnit context), its role, and an API client acting as it.</summary>
public sealed record Member(string Id, string Email, string Role, HttpClient Api);
