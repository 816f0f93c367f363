using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Portal.Cli.Fleet;
using Portal.Cli.Output;

namespace Portal.Cli.Commands;

/// <summary>export / apply: the fleet's configuration kept as files ("bootstrap as code").</summary>
internal static class FleetCommands
{
    public static Command Export(CliEnvironment env)
    {
        var directory = new Argument<string>("directory") { Description = "Where to write the YAML and template files (created if missing)" };
        return new Command("export", "Write OS profiles, templates, snippets, discovery sources (never passwords) and machine tags as files (Admin)")
            .With(directory)
            .Does(env, async (cli, ct) =>
            {
                var answer = await cli.Api().GetAsync("api/v1/fleet", ct);
                var document = answer.Deserialize<FleetDocument>(Json.Options)!;
                var written = FleetFiles.Write(cli.Value(directory)!, document);
                if (cli.Json) cli.WriteJson(new { directory = Path.GetFullPath(cli.Value(directory)!), files = written });
                else cli.Say($"Wrote {written.Count} files to {cli.Value(directory)}: {document.OsProfiles?.Count ?? 0} OS profiles, {document.Templates?.Count ?? 0} templates, "
                             + $"{document.Snippets?.Count ?? 0} snippets, {document.DiscoverySources?.Count ?? 0} discovery sources, tags of {document.Tags?.Count ?? 0} machines.");
                return ExitCodes.Ok;
            });
    }

    public static Command Apply(CliEnvironment env)
    {
        var file = new Option<string>("--file", "-f") { Description = "A directory written by `portal export`, or one YAML file with the whole document", Required = true };
        var prune = new Option<bool>("--prune") { Description = "Also delete what the files do not name (in the sections they have)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan only; change nothing" };
        return new Command("apply", "Make the Portal match the files: prints the plan, then applies it in one transaction (Admin)")
            .With(file, prune, dryRun)
            .Does(env, async (cli, ct) =>
            {
                var document = FleetFiles.Read(cli.Value(file)!);
                var api = cli.Api();
                var query = $"?prune={(cli.Value(prune) ? "true" : "false")}";
                JsonElement plan;
                try
                {
                    plan = await api.PostAsync("api/v1/fleet/apply" + query + "&dryRun=true", document, ct);
                }
                catch (CliException e) when (e.Problem is { } problem && problem.TryGetProperty("errors", out _))
                {
                    // Every problem on its own line, then nothing else: the apply was refused as a whole.
                    throw new CliException(e.ExitCode, "Nothing was applied:\n" + string.Join("\n", problem.Items("errors").Select(x => $"  {x.GetString()}")), problem);
                }
                if (!cli.Json) Print(cli, plan);
                if (cli.Value(dryRun) || !plan.Items("changes").Any())
                {
                    if (cli.Json) cli.WriteJson(plan);
                    return ExitCodes.Ok;
                }
                var applied = await api.PostAsync("api/v1/fleet/apply" + query, document, ct);
                if (cli.Json) cli.WriteJson(applied);
                else cli.Say($"Applied {applied.Items("changes").Count()} changes.");
                return ExitCodes.Ok;
            });
    }

    private static void Print(CliContext cli, JsonElement plan)
    {
        var changes = plan.Items("changes").ToList();
        if (changes.Count == 0) cli.Say("Nothing to change: the Portal matches the files.");
        else Tables.Write(cli.Console, ["", "KIND", "NAME", "CHANGE"],
            changes.Select(c => new[] { c.Str("action") switch { "create" => "+", "delete" => "-", _ => "~" }, c.Str("kind"), c.Str("name"), c.Str("detail") }));
        foreach (var warning in plan.Items("warnings")) cli.Say($"note: {warning.GetString()}");
    }
}
