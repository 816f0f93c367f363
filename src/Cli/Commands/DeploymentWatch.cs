using System.Text.Json;
using System.Threading.Channels;
using Portal.Cli.Api;
using Spectre.Console;

namespace Portal.Cli.Commands;

/// <summary>
/// Follows deployments live through GET /api/v1/deployments/{id}/events: one stream per deployment, a
/// progress bar per machine on a terminal, each timeline entry as a line as it arrives (JSON lines with
/// --json). The result is true only when every run ended Deployed.
/// </summary>
internal static class DeploymentWatch
{
    private sealed record Update(long DeploymentId, ServerSentEvent Event);

    /// <summary>Per deployment: what has been shown, so a reconnected stream repeats nothing.</summary>
    private sealed class Run(long id, string label)
    {
        public long Id { get; } = id;
        public string Label { get; set; } = label;
        public HashSet<long> Seen { get; } = [];
        public JsonElement? Final { get; set; }
        public ProgressTask? Bar { get; set; }
        public bool Deployed => Final is { } f && f.Str("state") == "Finished" && f.Str("step") == "Deployed";
    }

    public static async Task<bool> WatchAsync(CliContext cli, IReadOnlyList<(long Id, string Label)> deployments, CancellationToken ct)
    {
        var runs = deployments.Select(d => new Run(d.Id, d.Label)).ToDictionary(r => r.Id);
        var updates = Channel.CreateUnbounded<Update>();
        var readers = runs.Values.Select(r => FollowAsync(cli.Api(), r, updates.Writer, ct)).ToList();
        _ = Task.WhenAll(readers).ContinueWith(t => updates.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);

        if (cli.Console.Profile.Capabilities.Interactive && !cli.Json)
            await cli.Console.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    foreach (var run in runs.Values) run.Bar = progress.AddTask(Markup.Escape(run.Label), maxValue: 100);
                    await ShowAsync(cli, runs, updates.Reader, ct);
                });
        else
            await ShowAsync(cli, runs, updates.Reader, ct);
        await Task.WhenAll(readers); // rethrows a stream's failure (after the others were shown)

        if (!cli.Json)
            foreach (var run in runs.Values)
                cli.Say(run.Deployed
                    ? $"{run.Label}: Deployed."
                    : $"{run.Label}: {run.Final?.Str("step") ?? run.Final?.Str("state")}{(run.Final?.Str("failureReason") is { } why ? $" — {why}" : "")} (portal deployments show {run.Id})");
        return runs.Values.All(r => r.Deployed);
    }

    private static async Task ShowAsync(CliContext cli, Dictionary<long, Run> runs, ChannelReader<Update> updates, CancellationToken ct)
    {
        await foreach (var (id, e) in updates.ReadAllAsync(ct))
        {
            var run = runs[id];
            if (cli.Json)
            {
                if (e.Name != "timeline" || run.Seen.Add(e.Data.Long("id")))
                    cli.Env.Out.WriteLine(JsonSerializer.Serialize(new { deploymentId = id, @event = e.Name, data = e.Data }, Api.Json.Lines));
                if (e.Name == "end") run.Final = e.Data;
                continue;
            }
            switch (e.Name)
            {
                case "timeline" when run.Seen.Add(e.Data.Long("id")):
                    var percent = e.Data.Int("runPercent") is { } p ? $" ({p} %)" : "";
                    cli.Say($"{run.Label}  {e.Data.GetProperty("at").GetDateTimeOffset().ToLocalTime():HH:mm:ss}  {e.Data.Str("kind")} {e.Data.Str("phase")}: {e.Data.Str("message")}{percent}");
                    if (e.Data.Int("runPercent") is { } runPercent && run.Bar is { } bar) bar.Value = Math.Max(bar.Value, runPercent);
                    break;
                case "deployment" or "end":
                    if (run.Bar is { } b)
                    {
                        b.Value = Math.Max(b.Value, e.Data.Int("percent") ?? 0);
                        b.Description = Markup.Escape($"{run.Label}: {e.Data.Str("stepLabel") ?? e.Data.Str("state")}");
                    }
                    if (e.Name == "end")
                    {
                        run.Final = e.Data;
                        run.Bar?.StopTask();
                    }
                    break;
            }
        }
    }

    /// <summary>Reads one deployment's stream to its end; a dropped connection is opened again (the stream repeats the timeline, which <see cref="Run.Seen"/> filters).</summary>
    private static async Task FollowAsync(PortalApi api, Run run, ChannelWriter<Update> updates, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await api.OpenStreamAsync($"api/v1/deployments/{run.Id}/events", ct);
                await foreach (var e in ServerSentEvents.ReadAsync(await response.Content.ReadAsStreamAsync(ct), ct))
                {
                    await updates.WriteAsync(new Update(run.Id, e), ct);
                    if (e.Name == "end") return;
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException || (e is CliException { ExitCode: ExitCodes.Unreachable } && attempt < 5))
            {
                if (attempt >= 5) throw new CliException(ExitCodes.Unreachable, $"Lost deployment {run.Id}'s event stream: {e.Message}");
            }
            await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
        }
    }
}
