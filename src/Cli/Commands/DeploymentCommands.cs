using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Portal.Cli.Output;

namespace Portal.Cli.Commands;

/// <summary>deployments list|show|watch|cancel|retry|files|profiles.</summary>
internal static class DeploymentCommands
{
    public static Command Deployments(CliEnvironment env) =>
        new Command("deployments", "List, show, watch, cancel and retry deployments; the files they were served; the OS profiles")
            .With(List(env), Show(env), Watch(env), Cancel(env), Retry(env), Files(env), Profiles(env));

    private static Command List(CliEnvironment env)
    {
        var state = new Option<string[]>("--state") { Description = "Active, Finished, Failed or Cancelled; repeat for several" };
        var machine = new Option<long?>("--machine") { Description = "Only this machine's deployments" };
        var limit = new Option<int?>("--limit") { Description = "How many, newest first (default 50, at most 500)" };
        return new Command("list", "Deployments you started or whose machine you hold (Operators: all), newest first")
            .With(state, machine, limit)
            .Does(env, async (cli, ct) =>
            {
                var query = (cli.Value(state) ?? []).Select(s => $"state={Uri.EscapeDataString(s)}").ToList();
                if (cli.Value(machine) is { } m) query.Add($"machineId={m}");
                if (cli.Value(limit) is { } l) query.Add($"limit={l}");
                var rows = await cli.Api().GetAsync("api/v1/deployments" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
                if (cli.Json) { cli.WriteJson(rows); return ExitCodes.Ok; }
                Tables.Write(cli.Console, ["ID", "MACHINE", "HOSTNAME", "PROFILE", "STATE", "STEP", "%", "BY", "CREATED"],
                    rows.Items().Select(d => new[] { d.Str("id"), d.Str("machine"), d.Str("hostname"), d.Str("profile"), d.Str("state"), d.Str("stepLabel"),
                        d.Str("percent"), d.Str("requestedBy"), d.Str("createdAt") }));
                return ExitCodes.Ok;
            });
    }

    private static Command Show(CliEnvironment env)
    {
        var id = DeploymentId();
        return new Command("show", "A deployment with its whole timeline")
            .With(id)
            .Does(env, async (cli, ct) =>
            {
                var d = await cli.Api().GetAsync($"api/v1/deployments/{cli.Value(id)}", ct);
                if (cli.Json) { cli.WriteJson(d); return ExitCodes.Ok; }
                Tables.Fields(cli.Console, [
                    ("Deployment", d.Str("id")), ("Machine", $"{d.Str("machineId")} {d.Str("machine")}"), ("Hostname", d.Str("hostname")), ("Profile", d.Str("profile")),
                    ("Requested by", d.Str("requestedBy")), ("State", d.Str("state")), ("Step", d.Str("stepLabel")), ("Progress", $"{d.Str("percent")} %"),
                    ("Deadline", d.Str("deadline")), ("Last error", d.Str("lastError")), ("Failure", d.Str("failureReason")),
                    ("Created", d.Str("createdAt")), ("Finished", d.Str("finishedAt")),
                ]);
                Tables.Write(cli.Console, ["AT", "+S", "KIND", "PHASE", "MESSAGE"],
                    d.Items("events").Select(e => new[] { e.Str("at"), e.Str("sincePreviousSeconds"), e.Str("kind"), e.Str("phase"), e.Str("message") }));
                return ExitCodes.Ok;
            });
    }

    private static Command Watch(CliEnvironment env)
    {
        var ids = new Argument<long[]>("deployment") { Description = "Deployment ids", Arity = ArgumentArity.OneOrMore };
        return new Command("watch", "Follow deployments live until their runs end; exit 0 only when all are Deployed")
            .With(ids)
            .Does(env, async (cli, ct) =>
                await DeploymentWatch.WatchAsync(cli, cli.Value(ids)!.Select(i => (i, $"deployment {i}")).ToList(), ct) ? ExitCodes.Ok : ExitCodes.Failed);
    }

    private static Command Cancel(CliEnvironment env)
    {
        var id = DeploymentId();
        return new Command("cancel", "Stop an active run; the machine stays yours (Reserved)")
            .With(id)
            .Does(env, async (cli, ct) =>
            {
                var answer = await cli.Api().PostAsync($"api/v1/deployments/{cli.Value(id)}/cancel", null, ct);
                if (cli.Json) cli.WriteJson(answer); else cli.Say(answer.Str("message") ?? "Cancelled.");
                return ExitCodes.Ok;
            });
    }

    private static Command Retry(CliEnvironment env)
    {
        var id = DeploymentId();
        var watch = new Option<bool>("--watch") { Description = "Follow the new run; exit 0 only when it reaches Deployed" };
        return new Command("retry", "Start a failed deployment again, as a new deployment with the same inputs")
            .With(id, watch)
            .Does(env, async (cli, ct) =>
            {
                var next = await cli.Api().PostAsync($"api/v1/deployments/{cli.Value(id)}/retry", null, ct);
                if (cli.Json && !cli.Value(watch)) cli.WriteJson(next);
                else if (!cli.Json) cli.Say($"Deployment {next.Str("id")} started again for {next.Str("machine")} ({next.Str("hostname")}).");
                if (!cli.Value(watch)) return ExitCodes.Ok;
                return await DeploymentWatch.WatchAsync(cli, [(next.Long("id"), $"{next.Str("machine")} ({next.Str("hostname")})")], ct) ? ExitCodes.Ok : ExitCodes.Failed;
            });
    }

    private static Command Files(CliEnvironment env)
    {
        var id = DeploymentId();
        var output = new Option<string?>("--output", "-o") { Description = "Write the files into this folder (ipxe-script, config) instead of printing them" };
        return new Command("files", "The iPXE script and installer config exactly as served (requester, Operators and Admins)")
            .With(id, output)
            .Does(env, async (cli, ct) =>
            {
                var d = await cli.Api().GetAsync($"api/v1/deployments/{cli.Value(id)}", ct);
                var files = new (string Name, string? Text)[] { ("ipxe-script", d.Str("ipxeScript")), ("config", d.Str("config")) };
                if (d.Str("renderedAt") is not null && files.All(f => f.Text is null))
                    throw new CliException(ExitCodes.Forbidden, $"Deployment {cli.Value(id)}'s files are shown only to who started it, Operators and Admins.");
                if (cli.Json)
                {
                    cli.WriteJson(new { id = d.Long("id"), renderedAt = d.Str("renderedAt"), ipxeScript = files[0].Text, config = files[1].Text });
                    return ExitCodes.Ok;
                }
                if (files.All(f => f.Text is null)) { cli.Say($"Deployment {cli.Value(id)} has not been rendered yet (its machine has not fetched its script)."); return ExitCodes.Ok; }
                if (cli.Value(output) is { } folder)
                {
                    Directory.CreateDirectory(folder);
                    foreach (var (name, text) in files.Where(f => f.Text is not null))
                        await File.WriteAllTextAsync(Path.Combine(folder, name), text, ct);
                    cli.Say($"Wrote {string.Join(", ", files.Where(f => f.Text is not null).Select(f => Path.Combine(folder, f.Name)))}.");
                    return ExitCodes.Ok;
                }
                foreach (var (name, text) in files.Where(f => f.Text is not null))
                {
                    cli.Env.Out.WriteLine($"### {name} (rendered {d.Str("renderedAt")})");
                    cli.Env.Out.WriteLine(text);
                }
                return ExitCodes.Ok;
            });
    }

    private static Command Profiles(CliEnvironment env) =>
        new Command("profiles", "The OS profiles deployments can use")
            .Does(env, async (cli, ct) =>
            {
                var profiles = await cli.Api().GetAsync("api/v1/os-profiles", ct);
                if (cli.Json) cli.WriteJson(profiles);
                else Tables.Write(cli.Console, ["ID", "NAME", "INSTALLER", "TEMPLATE", "KERNEL"],
                    profiles.Items().Select(p => new[] { p.Str("id"), p.Str("name"), p.Str("installerKind"), p.Str("templateName"), p.Str("kernelUrl") }));
                return ExitCodes.Ok;
            });

    private static Argument<long> DeploymentId() => new("deployment") { Description = "The deployment's id (see `portal deployments list`)" };
}
