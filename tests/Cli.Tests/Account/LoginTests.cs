using Portal.Cli.Tests.Support;

namespace Portal.Cli.Tests.Account;

[Collection(CliCollection.Name)]
public sealed class LoginTests(CliPortal portal)
{
    [Fact]
    public async Task LoginStoresUrlAndTokenReadableOnlyByTheUserAndLaterCommandsUseThem()
    {
        var token = await portal.TokenAsync("cli-login");
        var config = Directory.CreateTempSubdirectory("portal-cli-config-").FullName;
        try
        {
            var login = await CliRunner.RunAsync(["login", "--url", portal.BaseUrl, "--token-stdin"], stdin: token + "\n", configDirectory: config);

            Assert.True(login.ExitCode == 0, login.ToString());
            Assert.Contains("Logged in to", login.Out);
            var file = Path.Combine(config, "config.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Contains(token, await File.ReadAllTextAsync(file));

            var whoami = await CliRunner.RunAsync(["whoami", "--json"], configDirectory: config);
            Assert.True(whoami.ExitCode == 0, whoami.ToString());
            Assert.Equal("cli-login@test.local", whoami.Json.GetProperty("email").GetString());

            var logout = await CliRunner.RunAsync(["logout"], configDirectory: config);
            Assert.Equal(0, logout.ExitCode);
            Assert.False(File.Exists(file));
            Assert.Equal(ExitCodes.Unauthenticated, (await CliRunner.RunAsync(["whoami"], configDirectory: config)).ExitCode);
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    [Fact]
    public async Task LoginWithATokenThePortalRefusesExitsThreeAndStoresNothing()
    {
        var config = Directory.CreateTempSubdirectory("portal-cli-config-").FullName;
        try
        {
            var login = await CliRunner.RunAsync(["login", "--url", portal.BaseUrl, "--token-stdin"], stdin: "pt_not-a-real-token", configDirectory: config);

            Assert.Equal(ExitCodes.Unauthenticated, login.ExitCode);
            Assert.Contains("Authenticate with a personal API token", login.Error);
            Assert.False(File.Exists(Path.Combine(config, "config.json")));
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    [Fact]
    public async Task EnvironmentVariablesOverrideTheStoredLogin()
    {
        var stored = await portal.TokenAsync("cli-stored");
        var other = await portal.TokenAsync("cli-env");
        var config = Directory.CreateTempSubdirectory("portal-cli-config-").FullName;
        try
        {
            Assert.Equal(0, (await CliRunner.RunAsync(["login", "--url", portal.BaseUrl, "--token-stdin"], stdin: stored, configDirectory: config)).ExitCode);

            var whoami = await CliRunner.RunAsync(["whoami", "--json"], new Dictionary<string, string> { ["PORTAL_TOKEN"] = other }, configDirectory: config);

            Assert.Equal("cli-env@test.local", whoami.Json.GetProperty("email").GetString());
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    [Fact]
    public async Task ACommandWithoutALoginSaysHowToLogIn()
    {
        var result = await CliRunner.RunAsync(["machines", "list"]);

        Assert.Equal(ExitCodes.Unauthenticated, result.ExitCode);
        Assert.Contains("portal login --url", result.Error);
    }

    [Fact]
    public async Task AnUnreachablePortalExitsSevenNamingTheAddress()
    {
        var port = Portal.TestSupport.PortalTestHost.FreePort();
        var result = await CliRunner.RunAsync(["machines", "list"], new Dictionary<string, string> { ["PORTAL_URL"] = $"http://127.0.0.1:{port}", ["PORTAL_TOKEN"] = "pt_x" });

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains($"Cannot reach the Portal at http://127.0.0.1:{port}/", result.Error);
    }

    [Fact]
    public async Task HelpListsEveryCommandAndTheExitCodes()
    {
        var help = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "login", "logout", "whoami", "onboard", "bmcs", "discover", "machines", "deploy", "deployments", "credentials", "export", "apply" })
            Assert.Matches($@"\n\s+{command}\b[^\n]*\s{{2,}}\S[^\n]{{10,}}", help.Out); // with its one-line summary
        Assert.Contains("7 Portal unreachable", help.Out);
    }

    [Fact]
    public async Task AWrongCommandLineExitsTwo()
    {
        var result = await CliRunner.RunAsync(["machines", "reserve"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("error:", result.Error);
    }
}
