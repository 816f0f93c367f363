extern alias PortalApp;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Bench;

/// <summary>
/// The whole Portal host (Quartz, workflow, netboot) on Kestrel at 127.0.0.1 on the bench database,
/// in production mode. Shared by the benches that need the real host (compiled into each).
/// </summary>
internal sealed class PortalUnderTest(string connectionString, string dataDirectory, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<PortalApp::Program>
{
    public const string AdminEmail = "admin@bench.local";
    public const string AdminPassword = "Bench-Admin-Passw0rd";

    public string BaseUrl { get; private set; } = "";

    private int port;

    public void Start()
    {
        // Outside a test project there is no content-root manifest; point the factory at the Portal's folder.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_PORTAL", Path.Combine(Portal.TestSupport.RepoRoot.Find(), "src", "Portal"));
        port = Portal.TestSupport.PortalTestHost.FreePort();
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Outside Development the host does not read the build's static web assets manifest by itself,
        // and pages need blazor.web.js and MudBlazor's files from it (the UI bench opens real circuits).
        builder.UseStaticWebAssets();
        builder.UseSetting("ConnectionStrings:Portal", connectionString);
        builder.UseSetting("Portal:DataDirectory", dataDirectory);
        builder.UseSetting("Portal:AdminEmail", AdminEmail);
        builder.UseSetting("Portal:AdminPassword", AdminPassword);
        builder.UseSetting("Portal:AdminMustChangePassword", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Error");
        builder.UseSetting("Lab:Enabled", "false");
        builder.UseSetting("Discovery:IntervalMinutes", "0");
        builder.UseSetting("DataProtection:KeyRingCertificate", Portal.TestSupport.TestKeyRing.CertificatePath);
        builder.UseSetting("Netboot:PublicBaseUrl", $"http://127.0.0.1:{port}");
        // Every bench drives the netboot routes from 127.0.0.1 (wrk, the 2,000-machine boot storm, the lab's
        // simulated firmware): one address far over any per-address limit a real network would want.
        builder.UseSetting("Netboot:RateLimit:PermitLimit", "0");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
    }
}
