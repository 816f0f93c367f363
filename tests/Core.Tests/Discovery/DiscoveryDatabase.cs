using Portal.Core.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.Core.Tests.Discovery;

/// <summary>
/// Discovery's real services on a migrated PostgreSQL database of their own: the one host the
/// discovery tests share (each test class makes one and disposes it).
/// </summary>
internal sealed class DiscoveryDatabase : IAsyncDisposable
{
    private readonly string connectionString;

    private DiscoveryDatabase(string connectionString, ServiceProvider services) => (this.connectionString, Services) = (connectionString, services);

    public ServiceProvider Services { get; }

    public static async Task<DiscoveryDatabase> CreateAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddPortalPersistence(connectionString);
        collection.ProtectKeyRingWith(TestKeyRing.CertificatePath);
        // Test labs write their lease files into throwaway folders under the temp directory.
        collection.AddDiscovery(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Discovery:LeaseDirectories:0"] = Path.GetTempPath() }).Build());
        var services = collection.BuildServiceProvider();
        await services.GetRequiredService<SchemaMigrator>().MigrateAsync();
        return new DiscoveryDatabase(connectionString, services);
    }

    /// <summary>The lab's lease file as a discovery source, as `make run` adds it.</summary>
    public Task AddLeaseSourceAsync(LabFleet lab) => SaveAsync((db, _) =>
        db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, lab.LeaseFilePath, lab.Port, true, DateTimeOffset.UtcNow)));

    /// <summary>The BMCs' passwords in the vendor credential list, matched by BMC MAC.</summary>
    public Task AddVendorCredentialsAsync(IEnumerable<LabBmc> bmcs) => SaveAsync((db, protector) =>
    {
        foreach (var b in bmcs)
            db.VendorCredentials.Add(VendorCredential.Create(MacAddress.Parse(b.Mac).ToString(), b.Username, protector.Protect(b.Password), b.SerialNumber, null, null, DateTimeOffset.UtcNow, "test"));
    });

    public Task<DiscoveryProgress> RunAsync() => Services.GetRequiredService<DiscoveryRunner>().RunAsync(Actor.System, default);

    private async Task SaveAsync(Action<AppDbContext, CredentialProtector> change)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        change(db, scope.ServiceProvider.GetRequiredService<CredentialProtector>());
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(connectionString);
    }
}
