using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Portal.Cli.Output;

namespace Portal.Cli.Commands;

/// <summary>`portal deploy`: provision machines with a profile (reserving Available ones first), and optionally follow them to the end.</summary>
internal static class DeployCommand
{
    public static Command Deploy(CliEnvironment env)
    {
        var machines = new Argument<long[]>("machine") { Description = "Ids of machines you hold, or Available ones (reserved for you first)", Arity = ArgumentArity.OneOrMore };
        var profile = new Option<string>("--profile") { Description = "OS profile, by name or id (`portal deployments profiles` lists them)", Required = true };
        var hostname = new Option<string>("--hostname") { Description = "Hostname; for several machines a pattern with {n} (1, 2, …) or {name}, e.g. 'node{n}'", Required = true };
        var sshKeys = new Option<string[]>("--ssh-key") { Description = "An SSH public key, or @FILE for every key in a file; repeat for several" };
        var parameters = new Option<string[]>("--param") { Description = "KEY=VALUE overriding the profile's default parameters; repeat for several" };
        var watch = new Option<bool>("--watch") { Description = "Follow the runs live; exit 0 only when all reach Deployed" };
        var hours = new Option<int?>("--hours") { Description = "How long to reserve the Available ones (default set by the Admin)" };
        return new Command("deploy", "Provision machines with an OS profile, reserving Available ones first (optionally --watch them to Deployed)")
            .With(machines, profile, hostname, sshKeys, parameters, watch, hours)
            .Does(env, async (cli, ct) =>
            {
                var api = cli.Api();
                var keys = (cli.Value(sshKeys) ?? []).SelectMany(ReadKeys).ToArray();
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var p in cli.Value(parameters) ?? [])
                {
                    var eq = p.IndexOf('=');
                    if (eq <= 0) throw CliException.Usage($"--param {p}: give KEY=VALUE.");
                    values[p[..eq]] = p[(eq + 1)..];
                }
                var ids = cli.Value(machines)!;
                var profileId = (await Lookups.ProfileAsync(api, cli.Value(profile)!, ct)).Long("id");
                await ReserveAvailableAsync(cli, api, ids, cli.Value(hours), ct);

                List<(long Id, string Label)> started;
                var refused = 0;
                if (ids.Length == 1)
                {
                    var one = await api.PostAsync("api/v1/deployments", new { machineId = ids[0], profileId, hostname = cli.Value(hostname), sshKeys = keys, parameters = values }, ct);
                    if (cli.Json && !cli.Value(watch)) cli.WriteJson(one);
                    else if (!cli.Json) cli.Say($"Deployment {one.Str("id")} started: {one.Str("machine")} as {one.Str("hostname")} with {one.Str("profile")}.");
                    started = [(one.Long("id"), $"{one.Str("machine")} ({one.Str("hostname")})")];
                }
                else
                {
                    var batch = await api.PostAsync("api/v1/deployments", new { machineIds = ids, profileId, hostname = cli.Value(hostname), sshKeys = keys, parameters = values }, ct);
                    if (cli.Json && !cli.Value(watch)) cli.WriteJson(batch);
                    else if (!cli.Json)
                        Tables.Write(cli.Console, ["MACHINE", "HOSTNAME", "DEPLOYMENT", "STATUS", "REASON"],
                            batch.Items("results").Select(r => new[] { $"{r.Str("machineId")} {r.Str("machine")}", r.Str("hostname"), r.Str("deploymentId"), r.Str("status"), r.Str("error") }));
                    started = batch.Items("results").Where(r => r.Str("deploymentId") is not null)
                        .Select(r => (r.Long("deploymentId"), $"{r.Str("machine")} ({r.Str("hostname")})")).ToList();
                    refused = batch.Int("failed") ?? 0;
                    if (started.Count == 0)
                        return batch.Items("results").Select(r => r.Str("status")).FirstOrDefault() switch
                        {
                            "NotFound" => ExitCodes.NotFound, "Conflict" => ExitCodes.Conflict, "Forbidden" => ExitCodes.Forbidden, _ => ExitCodes.Usage,
                        };
                }
                if (!cli.Value(watch)) return refused > 0 ? ExitCodes.Failed : ExitCodes.Ok;
                var allDeployed = await DeploymentWatch.WatchAsync(cli, started, ct);
                return allDeployed && refused == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            });
    }

    /// <summary>
    /// Picking and deploying in one step, as in the catalogue: the Available machines among them are
    /// reserved for the caller first, all or nothing (a 409 lists each conflict, nothing is deployed).
    /// </summary>
    private static async Task ReserveAvailableAsync(CliContext cli, PortalApi api, long[] ids, int? hours, CancellationToken ct)
    {
        var available = new List<long>();
        foreach (var id in ids)
            if ((await api.GetAsync($"api/v1/machines/{id}", ct)).Str("state") == "Available") available.Add(id);
        if (available.Count == 0) return;
        var reserved = await api.PostAsync("api/v1/reservations", new { machineIds = available, hours }, ct);
        if (!cli.Json) cli.Say(reserved.Str("message") ?? $"Reserved {string.Join(", ", available)}.");
    }

    /// <summary>"@file" is every non-empty, non-comment line of the file; anything else is one key.</summary>
    private static IEnumerable<string> ReadKeys(string value)
    {
        if (!value.StartsWith('@')) return [value.Trim()];
        var path = value[1..];
        if (path.StartsWith("~/", StringComparison.Ordinal)) path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]);
        if (!File.Exists(path)) throw CliException.Usage($"--ssh-key {value}: there is no file {path}.");
        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }
}
