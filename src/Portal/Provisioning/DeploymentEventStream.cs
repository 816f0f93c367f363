using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Api;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Live;
using Portal.Machines;

namespace Portal.Provisioning;

/// <summary>
/// GET /api/v1/deployments/{id}/events: a deployment's timeline as server-sent events, for the CLI's
/// `deploy --watch` and any other client. Fed by the in-process <see cref="LiveEventHub"/> (the same
/// "deployment:{id}" notifications the timeline page reloads on), so a client costs nothing while the run
/// waits, and the database is read only when the run changed. Events:
/// <c>deployment</c> (the summary: state, step, percent) whenever it changes, <c>timeline</c> (one entry)
/// for each entry not sent yet, and <c>end</c> (the final summary) once the run has ended, after which the
/// stream closes. A comment line goes out every <see cref="Heartbeat"/> so proxies keep the connection.
/// </summary>
internal static class DeploymentEventStream
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static async Task<Results<EmptyHttpResult, NotFound<ApiProblem>>> StreamAsync(
        long id, HttpContext http, LiveEventHub hub, IServiceScopeFactory scopes, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var ct = http.RequestAborted;
        var who = http.ToRequester();
        // Subscribed before the first read: a change between the read and the subscription is not lost.
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var topic = Core.Live.DeploymentTopics.Of(id);
        using var subscription = hub.Subscribe(t =>
        {
            if (t is null || t == topic) changed.Writer.TryWrite(true);
            return Task.CompletedTask;
        });

        var details = await LoadAsync(scopes, id, who, ct);
        if (details is null) return TypedResults.NotFound(new ApiProblem($"There is no deployment {id} that you can see."));

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = new EventWriter(http.Response, json.Value.SerializerOptions);

        var sent = new HashSet<long>();
        DeploymentApi.DeploymentSummary? lastSummary = null;
        try
        {
            while (true)
            {
                var summary = DeploymentApi.SummaryOf(details);
                var ended = Ended(details);
                foreach (var entry in DeploymentApi.ToDetail(details).Events.Where(e => sent.Add(e.Id)))
                    await writer.WriteAsync("timeline", entry, ct);
                if (ended)
                {
                    await writer.WriteAsync("end", summary, ct);
                    return TypedResults.Empty;
                }
                if (summary != lastSummary) await writer.WriteAsync("deployment", lastSummary = summary, ct);

                // Wait for a change, saying we are alive while there is none.
                while (true)
                {
                    var wait = changed.Reader.WaitToReadAsync(ct).AsTask();
                    if (await Task.WhenAny(wait, Task.Delay(Heartbeat, ct)) == wait) break;
                    await writer.CommentAsync("keepalive", ct);
                }
                changed.Reader.TryRead(out _);
                details = await LoadAsync(scopes, id, who, ct);
                if (details is null) return TypedResults.Empty; // deleted (or no longer visible): nothing more to say
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return TypedResults.Empty; // the client went away
        }
    }

    /// <summary>The run has ended, not just the deployment: after the installer's done the run still clears the override or powers off.</summary>
    private static bool Ended(DeploymentDetails details) =>
        details.Step is { } step ? step.IsTerminal() : !details.IsActive;

    private static async Task<DeploymentDetails?> LoadAsync(IServiceScopeFactory scopes, long id, Requester who, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await DeploymentDetails.LoadAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), id, who, ct);
    }

    private sealed class EventWriter(HttpResponse response, JsonSerializerOptions options)
    {
        public async Task WriteAsync<T>(string name, T data, CancellationToken ct)
        {
            // Serialized JSON has no raw newlines, so each event is one data line.
            await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, options)}\n\n", ct);
            await response.Body.FlushAsync(ct);
        }

        public async Task CommentAsync(string text, CancellationToken ct)
        {
            await response.WriteAsync($": {text}\n\n", ct);
            await response.Body.FlushAsync(ct);
        }
    }
}
