using Portal.Tests.Support;

namespace Portal.Cli.Tests.Support;

/// <summary>An empty Portal of its own (in-memory server, own database), for what must start from nothing or may prune everything.</summary>
public sealed class FreshPortal : IAsyncDisposable
{
    private readonly PortalFactory factory = new();
    private string token = "";

    public static async Task<FreshPortal> StartAsync()
    {
        var portal = new FreshPortal();
        await portal.factory.InitializeAsync();
        portal.token = await portal.factory.CreateTokenAsync(PortalFactory.AdminEmail, "cli");
        return portal;
    }

    /// <summary>Runs `portal args…` as the admin.</summary>
    public Task<CliResult> RunAsync(params string[] args) =>
        CliRunner.RunAsync(args, new Dictionary<string, string> { ["PORTAL_URL"] = "http://localhost", ["PORTAL_TOKEN"] = token },
            handler: () => factory.Server.CreateHandler());

    public async ValueTask DisposeAsync() => await factory.DisposeAsync();
}
