using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Redfish;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.EndToEnd;

/// <summary>The whole Portal on real Kestrel at 127.0.0.1 (random port) with its own database.</summary>
public class PortalServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@e2e.local";
    public const string AdminPassword = "E2e-Admin-Passw0rd";

    public string ConnectionString { get; private set; } = "";
    public string BaseUrl { get; private set; } = "";
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("portal-e2e-").FullName;

    private int port;

    // Set when this server shares another's database (a second instance): that one creates and drops it.
    private readonly string? sharedConnectionString;

    public PortalServer() { }

    private PortalServer(string sharedConnectionString) => this.sharedConnectionString = sharedConnectionString;

    /// <summary>A second Portal instance on <paramref name="first"/>'s database, as in a multi-instance deployment.</summary>
    public static PortalServer SecondInstanceOf(PortalServer first) => new(first.ConnectionString);

    public async Task InitializeAsync()
    {
        ConnectionString = sharedConnectionString ?? await TestPostgres.CreateDatabaseAsync("e2e");
        port = PortalTestHost.FreePort();
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        PortalTestHost.Configure(builder, ConnectionString, DataDirectory, AdminEmail, GeneratesAdmin ? "" : AdminPassword);
        PortalTestHost.ReachableAt(builder, port);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    /// <summary>
    /// True for a first run as `make run` does it: no admin password is configured, so the Portal
    /// generates one, prints it, writes it to {data}/initial-admin.txt and asks for a new one at first sign-in.
    /// </summary>
    protected virtual bool GeneratesAdmin => false;

    /// <summary>Settings a particular flow needs on top of the common ones.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>A lab BMC onboarded as discovery would (its inventory read); returns its machine's id.</summary>
    public async Task<long> OnboardAsync(LabBmc bmc)
    {
        await using var scope = Services.CreateAsyncScope();
        var onboarded = await scope.ServiceProvider.GetRequiredService<BmcOnboarding>().OnboardAsync(
            new DiscoveryCandidate(new BmcEndpoint(bmc.Address.ToString(), bmc.Port), MacAddress.Parse(bmc.Mac), new BmcCredential(bmc.Username, bmc.Password), "e2e"),
            Actor.System, default);
        if (onboarded.Result != OnboardResult.Inventoried) throw new InvalidOperationException($"Onboarding {bmc.Address} ended {onboarded.Result}.");
        return await WithDbAsync(db => db.Machines.Where(m => m.Bmc!.Address == bmc.Address.ToString()).Select(m => m.Id).SingleAsync());
    }

    /// <summary>Reads or writes the Portal's database in a scope of its own.</summary>
    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (sharedConnectionString is null) await TestPostgres.DropDatabaseAsync(ConnectionString);
        Directory.Delete(DataDirectory, recursive: true);
    }
}
