using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.TestSupport;

namespace Portal.Tests.Support;

/// <summary>
/// The real Portal host on a fresh PostgreSQL database of its own. The first admin comes from
/// configuration so tests know its password.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Admin-Passw0rd!";

    // Set when this host shares another's database (a second instance): that one creates and drops it.
    private readonly string? sharedConnectionString;

    public PortalFactory() { }

    private PortalFactory(string sharedConnectionString) => this.sharedConnectionString = sharedConnectionString;

    /// <summary>A second Portal instance on <paramref name="first"/>'s database, as in a multi-instance deployment.</summary>
    public static PortalFactory SecondInstanceOf(PortalFactory first) => new(first.ConnectionString);

    public string ConnectionString { get; private set; } = "";
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("portal-test-").FullName;

    public async Task InitializeAsync() => ConnectionString = sharedConnectionString ?? await CreateDatabaseAsync();

    /// <summary>A database of its own on the shared test server; a host that needs a server of its own says so here.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestPostgres.CreateDatabaseAsync("portal");

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        PortalTestHost.Configure(builder, ConnectionString, DataDirectory, AdminEmail, AdminPassword);

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (sharedConnectionString is null) await TestPostgres.DropDatabaseAsync(ConnectionString);
        Directory.Delete(DataDirectory, recursive: true);
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A browser (cookies, no redirects followed) whose requests come from <paramref name="address"/>, at <paramref name="baseAddress"/>.</summary>
    public HttpClient BrowserFrom(string address, string baseAddress = "http://localhost")
    {
        var ip = System.Net.IPAddress.Parse(address);
        var handler = new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler
        {
            InnerHandler = Server.CreateHandler(http => http.Connection.RemoteIpAddress = ip),
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseAddress) };
    }
}
