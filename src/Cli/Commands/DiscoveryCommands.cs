using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Portal.Cli.Output;
using Spectre.Console;

namespace Portal.Cli.Commands;

/// <summary>onboard, bmcs, discover: finding BMCs and the machines behind them.</summary>
internal static class DiscoveryCommands
{
    public static Command Onboard(CliEnvironment env)
    {
        var mac = new Argument<string>("mac") { Description = "The BMC's MAC address, as on the vendor's list or the lease file" };
        return new Command("onboard", "Onboard a BMC by its MAC now: find its address in the lease files, log in, inventory its machines (Admin)")
            .With(mac)
            .Does(env, async (cli, ct) =>
            {
                var run = await cli.Api().PostAsync("api/v1/bmcs/onboard", new { mac = cli.Value(mac) }, ct);
                return Report(cli, run, $"Onboarded {cli.Value(mac)}");
            });
    }

    public static Command Bmcs(CliEnvironment env)
    {
        var list = new Command("list", "Every BMC with its status and why it is not usable (Operator)")
            .Does(env, async (cli, ct) =>
            {
                var bmcs = await cli.Api().GetAsync("api/v1/bmcs", ct);
                if (cli.Json) cli.WriteJson(bmcs);
                else Tables.Write(cli.Console, ["ID", "MAC", "ADDRESS", "VENDOR", "STATUS", "MACHINES", "LAST ERROR"],
                    bmcs.Items().Select(b => new[] { b.Str("id"), b.Str("mac"), $"{b.Str("address")}:{b.Str("port")}", b.Str("vendor"), b.Str("status"), b.Str("machines"), b.Str("lastError") }));
                return ExitCodes.Ok;
            });

        var showId = new Argument<long>("id") { Description = "The BMC's id (see `portal bmcs list`)" };
        var show = new Command("show", "One BMC and the machines it manages (Operator)")
            .With(showId)
            .Does(env, async (cli, ct) =>
            {
                var detail = await cli.Api().GetAsync($"api/v1/bmcs/{cli.Value(showId)}", ct);
                if (cli.Json) { cli.WriteJson(detail); return ExitCodes.Ok; }
                var b = detail.GetProperty("bmc");
                Tables.Fields(cli.Console, [("BMC", b.Str("id")), ("MAC", b.Str("mac")), ("Address", $"{b.Str("address")}:{b.Str("port")}"),
                    ("Vendor", $"{b.Str("vendor")} {b.Str("model")}".Trim()), ("Firmware", b.Str("firmware")), ("Status", b.Str("status")),
                    ("Last error", b.Str("lastError")), ("Last seen", b.Str("lastSeenAt")), ("Credentials", b.Str("credentialSource"))]);
                Tables.Write(cli.Console, ["ID", "NAME", "SERIAL", "MODEL", "CORES", "MEMORY", "POWER", "STATE"],
                    detail.Items("machines").Select(m => new[] { m.Str("id"), m.Str("name"), m.Str("serial"), m.Str("model"), m.Str("cpuCores"),
                        Tables.Bytes(m.Long("memoryBytes")), m.Str("powerState"), m.Str("state") }));
                return ExitCodes.Ok;
            });

        var againId = new Argument<long>("id") { Description = "The BMC's id" };
        var rediscover = new Command("rediscover", "Onboard one known BMC again at its last address now (Admin)")
            .With(againId)
            .Does(env, async (cli, ct) => Report(cli, await cli.Api().PostAsync($"api/v1/bmcs/{cli.Value(againId)}/rediscover", null, ct), $"Rediscovered BMC {cli.Value(againId)}"));

        return new Command("bmcs", "List, show and rediscover BMCs").With(list, show, rediscover);
    }

    public static Command Discover(CliEnvironment env)
    {
        var wait = new Option<bool>("--wait") { Description = "Follow the run with a progress bar until it ends" };
        return new Command("discover", "Start a discovery run over every enabled source (Admin)")
            .With(wait)
            .Does(env, async (cli, ct) =>
            {
                var api = cli.Api();
                var started = await api.PostAsync("api/v1/discovery/runs", null, ct);
                if (!cli.Value(wait))
                {
                    if (cli.Json) cli.WriteJson(started);
                    else cli.Say($"Discovery started over {started.Str("total")} candidates; `portal discover --wait` or the Discovery page follows it.");
                    return ExitCodes.Ok;
                }
                var runId = started.Str("runId");
                var current = started;
                async Task<bool> NextAsync()
                {
                    if (current.Bool("finished")) return false;
                    await Task.Delay(300, ct);
                    current = await api.GetAsync("api/v1/discovery/runs/current", ct);
                    // Another run replaced ours (a later one on this instance): ours has ended.
                    return current.Str("runId") == runId;
                }
                if (cli.Console.Profile.Capabilities.Interactive && !cli.Json)
                    await cli.Console.Progress().StartAsync(async progress =>
                    {
                        var bar = progress.AddTask("Discovery", maxValue: Math.Max(1, current.Int("total") ?? 1));
                        do { bar.MaxValue = Math.Max(1, current.Int("total") ?? 1); bar.Value = current.Int("probed") ?? 0; }
                        while (await NextAsync());
                        bar.Value = bar.MaxValue;
                    });
                else
                    while (await NextAsync()) { }
                return Report(cli, current, "Discovery finished");
            });
    }

    /// <summary>A run's counts and issues; exit 1 when it stopped on an error.</summary>
    private static int Report(CliContext cli, JsonElement run, string what)
    {
        if (cli.Json) cli.WriteJson(run);
        else
        {
            cli.Say($"{what}: {run.Str("probed")}/{run.Str("total")} probed, {run.Str("inventoried")} inventoried, {run.Str("pendingCredentials")} waiting for credentials, "
                    + $"{run.Str("failed")} failed, {run.Str("noBmc")} not a BMC; {run.Str("machines")} machines.");
            foreach (var issue in run.Items("issues")) cli.Say($"  {issue.GetString()}");
            if (run.Str("error") is { } error) cli.Say($"  stopped: {error}");
        }
        return run.Str("error") is null ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
