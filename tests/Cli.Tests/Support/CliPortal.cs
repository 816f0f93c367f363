using Microsoft.AspNetCore.Hosting;
using Portal.Core.Users;
using Portal.Tests.Provisioning;
using Portal.Tests.Support;

namespace Portal.Cli.Tests.Support;

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliPortal>
{
    public const string Name = "cli portal";
}

/// <summary>
/// The Portal on Kestrel (127.0.0.1) with lab BMCs on 127.0.153.x whose machines netboot through the lab's
/// simulated firmware and installer (<see cref="SimulatedNetbootFactory"/>): the CLI talks real HTTP to it,
/// server-sent events included. Each test makes users and machines of its own.
/// </summary>
public sealed class CliPortal : SimulatedNetbootFactory
{
    protected override string FirstLabAddress => "127.0.153.1";

    /// <summary>A new user with a personal API token (the secret, as `portal login` takes it).</summary>
    public async Task<string> TokenAsync(string name, string role = Roles.User)
    {
        var email = $"{name}@test.local";
        await this.CreateUserAsync(email, Password, role);
        return await this.CreateTokenAsync(email, "cli");
    }

    public Task<string> AdminTokenAsync(string name) => this.CreateTokenAsync(AdminEmail, name);

    /// <summary>Runs `portal args…` in-process against this Portal with <paramref name="token"/> (PORTAL_URL / PORTAL_TOKEN).</summary>
    public Task<CliResult> RunAsync(string token, params string[] args) =>
        CliRunner.RunAsync(args, new Dictionary<string, string> { ["PORTAL_URL"] = BaseUrl, ["PORTAL_TOKEN"] = token });
}
