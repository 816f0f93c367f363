using Portal.Cli.Tests.Support;

namespace Portal.Cli.Tests.Discovery;

/// <summary>The seed workflow from a terminal: a lease-file source (applied as a file), the vendor's credential list, then `portal onboard MAC`.</summary>
[Collection(CliCollection.Name)]
public sealed class OnboardCommandTests(CliPortal portal)
{
    [Fact]
    public async Task CredentialsImportDryRunPrintsTheRowReportThenOnboardInventoriesTheBmc()
    {
        var admin = await portal.AdminTokenAsync("cli-onboard");
        // The lab's last BMC: the other tests take machines from the first ones.
        var bmc = portal.Lab.Bmcs[^1];

        var dryRun = await portal.RunAsync(admin, "credentials", "import", portal.Lab.CredentialCsvPath, "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("Dry run:", dryRun.Out);
        Assert.Contains(bmc.Mac.ToLowerInvariant(), dryRun.Out.ToLowerInvariant());
        Assert.DoesNotContain(bmc.Password, dryRun.Out);

        var import = await portal.RunAsync(admin, "credentials", "import", portal.Lab.CredentialCsvPath, "--replace");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("Imported", import.Out);

        var sources = Path.Combine(Path.GetDirectoryName(portal.Lab.LeaseFilePath)!, "cli-sources.yaml");
        await File.WriteAllTextAsync(sources, $"""
            discoverySources:
              - kind: DnsmasqLeases
                value: {portal.Lab.LeaseFilePath}
                port: {bmc.Port}
                useHttps: {bmc.Https.ToString().ToLowerInvariant()}
                enabled: false
            """);
        var apply = await portal.RunAsync(admin, "apply", "-f", sources);
        Assert.True(apply.ExitCode == 0, apply.ToString());

        var onboard = await portal.RunAsync(admin, "onboard", bmc.Mac);
        Assert.True(onboard.ExitCode == 0, onboard.ToString());
        Assert.Contains("1/1 probed, 1 inventoried", onboard.Out);

        var bmcs = await portal.RunAsync(admin, "bmcs", "list", "--json");
        var row = bmcs.Json.EnumerateArray().Single(b => string.Equals(b.GetProperty("mac").GetString(), bmc.Mac, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Reachable", row.GetProperty("status").GetString());

        var again = await portal.RunAsync(admin, "bmcs", "rediscover", row.GetProperty("id").GetInt64().ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("1 inventoried", again.Out);
    }

    [Fact]
    public async Task ACredentialListWithABadRowExitsTwoWithEachRowsVerdict()
    {
        var admin = await portal.AdminTokenAsync("cli-bad-csv");
        var file = Path.Combine(Path.GetTempPath(), $"cli-creds-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "mac,username,password\n52:54:00:aa:bb:01,root,secret-one\nnot-a-mac,root,secret-two\n");
        try
        {
            var import = await portal.RunAsync(admin, "credentials", "import", file, "--dry-run");

            Assert.Equal(ExitCodes.Usage, import.ExitCode);
            Assert.Contains("Nothing was imported: 1 of 2 rows cannot be imported", import.Error);
            Assert.Matches(@"\n\s*3\s.*not-a-mac", import.Out);
            Assert.DoesNotContain("secret-", import.Out + import.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task OnboardingAMacNoLeaseNamesExitsFive()
    {
        var admin = await portal.AdminTokenAsync("cli-no-lease");

        var onboard = await portal.RunAsync(admin, "onboard", "02:00:00:00:00:99");

        Assert.Equal(ExitCodes.NotFound, onboard.ExitCode);
        Assert.Contains("No lease for 02:00:00:00:00:99", onboard.Error);
    }

    [Fact]
    public async Task TagsFromAFileReachTheMachineAndTheCatalogueFilter()
    {
        var admin = await portal.AdminTokenAsync("cli-tags");
        var id = await portal.AddMachineAsync();
        var machine = (await portal.RunAsync(admin, "machines", "show", id.ToString(), "--json")).Json;
        var file = Path.Combine(Path.GetTempPath(), $"cli-tags-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            tags:
              - machine: {machine.GetProperty("name").GetString()}
                uuid: {machine.GetProperty("uuid").GetString()}
                tags: [cli-rack-7, GPU-Ready]
            """);
        try
        {
            var apply = await portal.RunAsync(admin, "apply", "-f", file);
            var again = await portal.RunAsync(admin, "apply", "-f", file);
            var tagged = await portal.RunAsync(admin, "machines", "list", "--tag", "cli-rack-7", "--json");

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("cli-rack-7,gpu-ready", apply.Out);
            Assert.Contains("Nothing to change", again.Out);
            Assert.Equal([id], tagged.Json.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ApplyAsAUserIsForbidden()
    {
        var user = await portal.TokenAsync("cli-not-admin");
        var file = Path.Combine(Path.GetTempPath(), $"cli-forbidden-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "templates: []\n");
        try
        {
            Assert.Equal(ExitCodes.Forbidden, (await portal.RunAsync(user, "apply", "-f", file)).ExitCode);
            Assert.Equal(ExitCodes.Forbidden, (await portal.RunAsync(user, "export", Path.GetTempPath())).ExitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
