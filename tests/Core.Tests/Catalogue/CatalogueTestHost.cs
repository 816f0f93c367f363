using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Catalogue;
using Portal.Core.Credentials;
using Portal.Core.Discovery.Runs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.TestSupport;
using Quartz;

namespace Portal.Core.Tests.Catalogue;

/// <summary>A migrated database with the catalogue's services, as the Portal wires them (Quartz in memory).</summary>
public sealed class CatalogueTestHost : IAsyncDisposable
{
    public ServiceProvider Services { get; private set; } = default!;
    public string ConnectionString { get; private set; } = "";
    public TestClock Clock { get; } = new(DateTimeOffset.Parse("2026-11-21T12:00:00Z"));

    public static async Task<CatalogueTestHost> StartAsync(Dictionary<string, string?>? settings = null, bool realClock = false)
    {
        var host = new CatalogueTestHost { ConnectionString = await TestPostgres.CreateDatabaseAsync("cat") };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        if (!realClock) services.AddSingleton<TimeProvider>(host.Clock);
        services.AddPortalPersistence(host.ConnectionString);
        services.AddDiscovery(configuration);
        services.AddQuartz(_ => { });
        services.AddMachineCatalogue(configuration);
        host.Services = services.BuildServiceProvider();
        await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(ConnectionString);
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> work) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task<Outcome> ReserveAsync(Requester who, params long[] ids) => WithAsync<Reservations.Reservations, Outcome>(r => r.ReserveAsync(ids, null, who));

    public Task<Machine> MachineAsync(long id) => WithDbAsync(db => db.Machines.FindAsync(id).AsTask().ContinueWith(t => t.Result!));

    /// <summary>A BMC row; with credentials when given (encrypted like discovery stores them).</summary>
    public Task<long> AddBmcAsync(string mac, string address = "127.0.0.1", int port = 443, string? username = null, string? password = null, bool https = true) =>
        WithDbAsync(async db =>
        {
            var bmc = Bmc.Discovered(mac, address, port, https, DateTimeOffset.UtcNow);
            if (username is not null)
                bmc.UseCredentials(username, Services.GetRequiredService<CredentialProtector>().Protect(password!), CredentialSource.Manual);
            bmc.Inventoried("Lab", "BMC", "1.0", DateTimeOffset.UtcNow);
            db.Bmcs.Add(bmc);
            await db.SaveChangesAsync();
            return bmc.Id;
        });

    /// <summary>An Available machine with the given facts (as an inventory would leave it).</summary>
    public Task<long> AddMachineAsync(long bmcId, MachineFacts facts, params string[] tags) =>
        WithDbAsync(async db =>
        {
            var machine = Machine.Discovered(bmcId, facts.RedfishId, DateTimeOffset.UtcNow);
            machine.ApplyFacts(facts, bmcId, DateTimeOffset.UtcNow);
            machine.SetTags(tags);
            db.Machines.Add(machine);
            await db.SaveChangesAsync();
            return machine.Id;
        });

    public static Requester User(string name, bool isOperator = false) => new($"id-{name}", name, isOperator);
}

/// <summary>Facts for test machines: sensible defaults, change what the test is about.</summary>
public static class Facts
{
    private static int next;

    public static MachineFacts Of(
        int cores = 16, int threads = 32, int memoryGiB = 128, string cpu = "AMD EPYC 7313 16-Core Processor", string arch = "x86_64",
        string vendor = "Dell Inc.", string model = "PowerEdge R650", string[]? gpus = null, (string Media, string Protocol, long GB)[]? disks = null,
        long[]? nicMbps = null, string? redfishId = null, string? serial = null)
    {
        var n = Interlocked.Increment(ref next);
        return new MachineFacts(
            redfishId ?? $"/redfish/v1/Systems/{n}", Guid.NewGuid(), serial ?? $"SN{n:D6}", vendor, model, arch, "UEFI", "1.0", cpu,
            cores > 32 ? 2 : 1, cores, threads, (long)memoryGiB << 30,
            (disks ?? [("SSD", "NVMe", 960)]).Select((d, i) => new MachineDisk("Disk", d.Media, d.Protocol, d.GB * 1_000_000_000, $"D{n}-{i}")).ToList(),
            (nicMbps ?? [10_000]).Select((s, i) => new MachineNic($"02:00:00:{n / 256 % 256:x2}:{n % 256:x2}:{i:x2}", s, $"NIC{i}")).ToList(),
            (gpus ?? []).Select(g => new MachineGpu(g, "NVIDIA")).ToList(),
            "Off");
    }
}

public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}
