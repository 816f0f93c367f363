using Portal.Cli.Tests.Support;

namespace Portal.Cli.Tests.Fleet;

/// <summary>`portal export` and `portal apply`: the fleet's configuration as files, on empty Portals of their own.</summary>
public sealed class FleetCommandTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("portal-cli-fleet-").FullName;

    private const string Configuration = """
        osProfiles:
          - name: CLI profile
            installerKind: Kickstart
            kernelUrl: http://mirror.invalid/vmlinuz
            initrdUrls: [http://mirror.invalid/initrd.img]
            kernelArgs: inst.text
            template: cli-kickstart
            defaultParameters: { timezone: UTC, disk: sda }
        templates:
          - name: cli-kickstart
            text: |
              text
              {{#if deployment.params.timezone}}
              timezone {{deployment.params.timezone}}
              {{/if}}
              {{> cli-network}}
        snippets:
          - name: cli-network
            text: |
              network --hostname={{deployment.hostname}}
        discoverySources:
          - kind: Cidr
            value: 127.0.154.0/30
            port: 8443
            useHttps: true
            enabled: false
        """;

    [Fact]
    public async Task ExportThenApplyOnAnEmptyPortalThenExportGivesIdenticalFilesAndApplyingTwiceChangesNothing()
    {
        var file = Write("fleet.yaml", Configuration);
        var (first, second) = (Path.Combine(work, "first"), Path.Combine(work, "second"));
        await using (var source = await FreshPortal.StartAsync())
        {
            var applied = await source.RunAsync("apply", "-f", file);
            Assert.True(applied.ExitCode == 0, applied.ToString());
            Assert.Matches(@"\+\s+os-profile\s+CLI profile", applied.Out);
            Assert.Contains("Applied 4 changes.", applied.Out);
            var export = await source.RunAsync("export", first);
            Assert.True(export.ExitCode == 0, export.ToString());
        }
        Assert.Equal("{{> cli-network}}", File.ReadAllLines(Path.Combine(first, "templates", "cli-kickstart.hbs"))[4]);
        Assert.Contains("kernelArgs: inst.text", File.ReadAllText(Path.Combine(first, "os-profiles", "cli-profile.yaml")));
        Assert.DoesNotContain("password", File.ReadAllText(Path.Combine(first, "discovery-sources.yaml")), StringComparison.OrdinalIgnoreCase);

        await using var target = await FreshPortal.StartAsync();
        var apply = await target.RunAsync("apply", "-f", first);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(0, (await target.RunAsync("export", second)).ExitCode);

        Assert.Equal(Files(first), Files(second));

        var again = await target.RunAsync("apply", "-f", first);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("Nothing to change: the Portal matches the files.", again.Out);
        var plan = await target.RunAsync("apply", "-f", first, "--prune", "--dry-run", "--json");
        Assert.Empty(plan.Json.GetProperty("changes").EnumerateArray());
    }

    [Fact]
    public async Task ABrokenTemplateRefusesTheWholeApplyWithItsLineNumber()
    {
        var directory = Path.Combine(work, "broken");
        Write("broken/os-profiles/uses-broken.yaml", """
            name: Uses broken
            installerKind: Generic
            kernelUrl: /boot-files/x/vmlinuz
            initrdUrls: [/boot-files/x/initrd]
            template: broken
            """);
        Write("broken/templates/broken.hbs", "line one\nline two\n{{#if deployment.hostname}}\nnever closed\n");
        await using var portal = await FreshPortal.StartAsync();

        var apply = await portal.RunAsync("apply", "-f", directory);

        Assert.Equal(ExitCodes.Usage, apply.ExitCode);
        Assert.Contains("Nothing was applied:", apply.Error);
        Assert.Contains("templates/broken line 3: Reached end of template before block expression 'if' was closed", apply.Error);
        var profiles = await portal.RunAsync("deployments", "profiles", "--json");
        Assert.DoesNotContain(profiles.Json.EnumerateArray(), p => p.GetProperty("name").GetString() == "Uses broken");
    }

    [Fact]
    public async Task DryRunPrintsThePlanOnlyAndPruneDeletesWhatTheFilesDoNotName()
    {
        await using var portal = await FreshPortal.StartAsync();
        Assert.Equal(0, (await portal.RunAsync("apply", "-f", Write("fleet.yaml", Configuration))).ExitCode);
        var empty = Write("empty.yaml", """
            osProfiles: []
            templates: []
            snippets: []
            discoverySources: []
            """);

        var dryRun = await portal.RunAsync("apply", "-f", empty, "--prune", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Matches(@"-\s+os-profile\s+CLI profile", dryRun.Out);
        Assert.Matches(@"-\s+template\s+cli-kickstart", dryRun.Out);
        Assert.Matches(@"-\s+discovery-source\s+Cidr 127\.0\.154\.0/30", dryRun.Out);
        Assert.Contains("note: OS profile \"Lab installer\" is built in; kept.", dryRun.Out);
        var unchanged = Path.Combine(work, "after-dry-run");
        Assert.Equal(0, (await portal.RunAsync("export", unchanged)).ExitCode);
        Assert.True(File.Exists(Path.Combine(unchanged, "templates", "cli-kickstart.hbs")), "a dry run changes nothing");

        var pruned = await portal.RunAsync("apply", "-f", empty, "--prune");
        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        var exported = Path.Combine(work, "after-prune");
        Assert.Equal(0, (await portal.RunAsync("export", exported)).ExitCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(exported, "templates")));
        Assert.False(File.Exists(Path.Combine(exported, "os-profiles", "cli-profile.yaml")));
        Assert.Equal("[]", File.ReadAllText(Path.Combine(exported, "discovery-sources.yaml")).Trim());
    }

    [Fact]
    public async Task PruningATemplateAProfileStillUsesIsRefused()
    {
        await using var portal = await FreshPortal.StartAsync();
        Assert.Equal(0, (await portal.RunAsync("apply", "-f", Write("fleet.yaml", Configuration))).ExitCode);

        var apply = await portal.RunAsync("apply", "-f", Write("no-templates.yaml", "templates: []\n"), "--prune");

        Assert.Equal(ExitCodes.Usage, apply.ExitCode);
        Assert.Contains("osProfiles \"CLI profile\" (not in the files, kept) uses template \"cli-kickstart\", which this apply would delete.", apply.Error);
    }

    [Fact]
    public async Task DiscoverWaitFollowsARunToItsEnd()
    {
        await using var portal = await FreshPortal.StartAsync();

        var discover = await portal.RunAsync("discover", "--wait");

        Assert.True(discover.ExitCode == 0, discover.ToString());
        Assert.Contains("Discovery finished: 0/0 probed", discover.Out);
    }

    private string Write(string relative, string text)
    {
        var path = Path.Combine(work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static Dictionary<string, string> Files(string directory) =>
        Directory.GetFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllText);

    public void Dispose() => Directory.Delete(work, recursive: true);
}
