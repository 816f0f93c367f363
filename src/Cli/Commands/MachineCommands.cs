using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Portal.Cli.Output;

namespace Portal.Cli.Commands;

/// <summary>machines list|show|reserve|extend|release|power — the catalogue and what a holder does with a machine.</summary>
internal static class MachineCommands
{
    /// <summary>The catalogue's filters, each the API's query parameter of the same name.</summary>
    private sealed record Filter(Option Option, string Parameter);

    public static Command Machines(CliEnvironment env) =>
        new Command("machines", "Browse the catalogue and reserve, extend, release and power machines")
            .With(List(env), Show(env), Reserve(env), Extend(env), Release(env), Power(env));

    private static Command List(CliEnvironment env)
    {
        var state = new Option<string[]>("--state") { Description = "Available (default), Reserved, Deployed, … or any; repeat for several", AllowMultipleArgumentsPerToken = true };
        var tag = new Option<string[]>("--tag") { Description = "A tag every machine must have; repeat for several" };
        var gpu = new Option<string?>("--gpu") { Description = "Machines with a GPU; --gpu MODEL for that model", Arity = ArgumentArity.ZeroOrOne };
        Filter[] filters =
        [
            new(new Option<string>("--arch") { Description = "Architecture, e.g. x86_64" }, "arch"),
            new(new Option<int?>("--cores") { Description = "At least this many CPU cores" }, "cores"),
            new(new Option<int?>("--threads") { Description = "At least this many threads" }, "threads"),
            new(new Option<int?>("--memory") { Description = "At least this much memory, GiB" }, "memory"),
            new(new Option<string>("--cpu") { Description = "CPU model" }, "cpu"),
            new(new Option<string>("--disk") { Description = "A disk of this kind (SSD, HDD, NVMe)" }, "disk"),
            new(new Option<int?>("--storage") { Description = "At least this much storage, GB" }, "storage"),
            new(new Option<int?>("--gpus") { Description = "At least this many GPUs" }, "gpus"),
            new(new Option<long?>("--nic") { Description = "A NIC at least this fast, Mb/s" }, "nic"),
            new(new Option<string>("--vendor") { Description = "Manufacturer, e.g. Dell" }, "vendor"),
            new(new Option<string>("--model") { Description = "Model" }, "model"),
            new(new Option<string>("--sort") { Description = "name|cpu|cores|threads|memory|gpus|storage|nic|vendor|arch|state|power" }, "sort"),
            new(new Option<string>("--dir") { Description = "asc|desc" }, "dir"),
            new(new Option<int?>("--page") { Description = "Page number (from 1)" }, "page"),
            new(new Option<int?>("--size") { Description = "Machines per page" }, "size"),
        ];
        var command = new Command("list", "The catalogue with its filters, e.g. `portal machines list --cores 64 --gpu --vendor Dell`")
            .With(state, tag, gpu);
        foreach (var filter in filters) command.Options.Add(filter.Option);
        return command.Does(env, async (cli, ct) =>
        {
            var query = new List<string>();
            void Add(string name, object? value) { if (value is not null) query.Add($"{name}={Uri.EscapeDataString(value.ToString()!)}"); }
            foreach (var s in cli.Value(state) ?? []) Add("state", s);
            foreach (var t in cli.Value(tag) ?? []) Add("tag", t);
            foreach (var filter in filters) Add(filter.Parameter, cli.Parse.GetResult(filter.Option)?.GetValueOrDefault<object?>());
            if (cli.Parse.GetResult(gpu) is not null)
            {
                if (cli.Value(gpu) is { Length: > 0 } model) Add("gpu", model);
                else if (!query.Any(q => q.StartsWith("gpus=", StringComparison.Ordinal))) Add("gpus", 1);
            }
            var page = await cli.Api().GetAsync("api/v1/machines" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), ct);
            if (cli.Json) { cli.WriteJson(page); return ExitCodes.Ok; }
            Tables.Write(cli.Console, ["ID", "NAME", "VENDOR", "MODEL", "CORES", "MEMORY", "GPUS", "STATE", "POWER", "HOLDER", "TAGS"],
                page.Items("machines").Select(m => new[]
                {
                    m.Str("id"), m.Str("name"), m.Str("manufacturer"), m.Str("model"), m.Str("cpuCores"), Tables.Bytes(m.Long("memoryBytes")),
                    m.Str("gpuCount"), m.Str("state"), m.Str("powerState"), m.Str("reservedByName"), string.Join(",", m.Items("tags").Select(t => t.GetString())),
                }));
            cli.Say($"{page.Str("total")} machines, page {page.Str("page")} of {Math.Max(1, page.Int("pageCount") ?? 1)}.");
            return ExitCodes.Ok;
        });
    }

    private static Command Show(CliEnvironment env)
    {
        var id = MachineId();
        return new Command("show", "All of a machine's hardware facts, BMC, power, reservation and allowed power actions")
            .With(id)
            .Does(env, async (cli, ct) =>
            {
                var m = await cli.Api().GetAsync($"api/v1/machines/{cli.Value(id)}", ct);
                if (cli.Json) { cli.WriteJson(m); return ExitCodes.Ok; }
                var bmc = m.TryGetProperty("bmc", out var b) && b.ValueKind == JsonValueKind.Object ? b : default;
                Tables.Fields(cli.Console, [
                    ("Machine", $"{m.Str("id")} {m.Str("name")}"), ("State", m.Str("state")), ("Power", m.Str("powerState")),
                    ("Vendor", $"{m.Str("manufacturer")} {m.Str("model")}".Trim()), ("Serial", m.Str("serial")), ("UUID", m.Str("uuid")), ("Arch", m.Str("architecture")),
                    ("CPU", $"{m.Str("cpuModel")}: {m.Str("cpuSockets")} sockets, {m.Str("cpuCores")} cores, {m.Str("cpuThreads")} threads"),
                    ("Memory", Tables.Bytes(m.Long("memoryBytes"))),
                    ("Disks", string.Join("; ", m.Items("disks").Select(d => $"{d.Str("mediaType")} {Tables.Bytes(d.Long("capacityBytes"))}"))),
                    ("NICs", string.Join("; ", m.Items("nics").Select(n => $"{n.Str("mac")} {n.Str("speedMbps")} Mb/s"))),
                    ("GPUs", string.Join("; ", m.Items("gpus").Select(g => g.Str("model") ?? Json.Text(g)))),
                    ("Tags", string.Join(", ", m.Items("tags").Select(t => t.GetString()))),
                    ("Reserved by", m.Str("reservedBy") is { } holder ? $"{holder} until {m.Str("reservedUntil")}" : null),
                    ("Maintenance", m.Str("maintenanceReason")),
                    ("Power actions", string.Join(", ", m.Items("powerActions").Select(a => a.GetString()))),
                    ("BMC", bmc.ValueKind == JsonValueKind.Object ? $"{bmc.Str("address")}:{bmc.Str("port")} {bmc.Str("mac")} {bmc.Str("status")} {bmc.Str("lastError")}".Trim() : null),
                ]);
                return ExitCodes.Ok;
            });
    }

    private static Command Reserve(CliEnvironment env)
    {
        var ids = new Argument<long[]>("machine") { Description = "Machine ids; all or nothing", Arity = ArgumentArity.OneOrMore };
        var hours = new Option<int?>("--hours") { Description = "How long (default and maximum set by the Admin)" };
        return new Command("reserve", "Reserve machines for yourself; all or nothing (409 lists each conflict)")
            .With(ids, hours)
            .Does(env, async (cli, ct) => Message(cli, await cli.Api().PostAsync("api/v1/reservations", new { machineIds = cli.Value(ids), hours = cli.Value(hours) }, ct)));
    }

    private static Command Extend(CliEnvironment env)
    {
        var id = MachineId();
        var hours = new Option<int?>("--hours") { Description = "Hours to add (default set by the Admin)" };
        return new Command("extend", "Push your reservation's end out")
            .With(id, hours)
            .Does(env, async (cli, ct) => Message(cli, await cli.Api().PostAsync($"api/v1/machines/{cli.Value(id)}/extend", new { hours = cli.Value(hours) }, ct)));
    }

    private static Command Release(CliEnvironment env)
    {
        var id = MachineId();
        var wipe = new Option<string?>("--wipe") { Description = "Wipe with this OS profile (name or id) before the power-off" };
        return new Command("release", "Give a machine back (a deployed one goes through a release run: optional wipe, power off)")
            .With(id, wipe)
            .Does(env, async (cli, ct) =>
            {
                var api = cli.Api();
                long? wipeProfileId = cli.Value(wipe) is { } profile ? (await Lookups.ProfileAsync(api, profile, ct)).Long("id") : null;
                var released = await api.PostAsync($"api/v1/machines/{cli.Value(id)}/release", new { wipeProfileId }, ct);
                if (cli.Json) cli.WriteJson(released);
                else cli.Say(released.Str("message") + (released.Str("deploymentId") is { } run ? $" Follow it: portal deployments show {run}" : ""));
                return ExitCodes.Ok;
            });
    }

    /// <summary>Friendly words for the Redfish reset types the API takes.</summary>
    private static readonly Dictionary<string, string> PowerWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["on"] = "On", ["off"] = "ForceOff", ["shutdown"] = "GracefulShutdown", ["restart"] = "ForceRestart", ["reset"] = "ForceRestart", ["cycle"] = "PowerCycle",
    };

    private static Command Power(CliEnvironment env)
    {
        var id = MachineId();
        var action = new Argument<string>("action") { Description = "on | off | shutdown | restart | cycle (or the Redfish name: On, ForceOff, GracefulShutdown, ForceRestart, PowerCycle)" };
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the action is queued" };
        return new Command("power", "Power a machine on, off, shut it down, restart or cycle it, and wait for the result")
            .With(id, action, noWait)
            .Does(env, async (cli, ct) =>
            {
                var api = cli.Api();
                var word = cli.Value(action)!;
                var operation = await api.PostAsync($"api/v1/machines/{cli.Value(id)}/power", new { action = PowerWords.GetValueOrDefault(word, word) }, ct);
                while (!cli.Value(noWait) && operation.Str("status") is "Pending" or "Running")
                {
                    await Task.Delay(250, ct);
                    operation = await api.GetAsync($"api/v1/power-operations/{operation.Long("id")}", ct);
                }
                if (cli.Json) cli.WriteJson(operation);
                else cli.Say(operation.Str("status") switch
                {
                    "Succeeded" => $"{operation.Str("action")}: done, power is {operation.Str("finalPowerState")}.",
                    "Failed" => $"{operation.Str("action")} failed: {operation.Str("error")}",
                    var status => $"{operation.Str("action")}: {status} (operation {operation.Str("id")}).",
                });
                return operation.Str("status") == "Failed" ? ExitCodes.Failed : ExitCodes.Ok;
            });
    }

    private static Argument<long> MachineId() => new("machine") { Description = "The machine's id (see `portal machines list`)" };

    private static int Message(CliContext cli, JsonElement answer)
    {
        if (cli.Json) cli.WriteJson(answer);
        else cli.Say(answer.Str("message") ?? "Done.");
        return ExitCodes.Ok;
    }
}
