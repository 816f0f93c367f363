using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using static Portal.Lab.Redfish.Json;

namespace Portal.Lab.Redfish;

/// <summary>
/// EventService (DSP0266 "Eventing"): every profile has one; only profiles with
/// <see cref="VendorProfile.ServerSentEvents"/> offer the ServerSentEventUri stream.
/// </summary>
internal static class EventResources
{
    public const string ServicePath = ServiceResources.Root + "/EventService";
    public const string StreamPath = ServicePath + "/SSE";

    public static JsonObject EventService(LabBmc bmc)
    {
        var o = Resource(ServicePath, "#EventService.v1_10_0.EventService", "EventService", "Event Service");
        o["ServiceEnabled"] = true;
        o["DeliveryRetryAttempts"] = 3;
        o["DeliveryRetryIntervalSeconds"] = 30;
        o["EventFormatTypes"] = Strings(["Event"]);
        o["RegistryPrefixes"] = Strings(["ResourceEvent"]);
        if (bmc.Profile.ServerSentEvents) o["ServerSentEventUri"] = StreamPath;
        o["Status"] = Status();
        return o;
    }

    private static readonly TimeSpan SessionCheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A text/event-stream of Event resources until the client goes, the lab stops, the session
    /// the stream was opened with ends (logged out or expired), or the lab drops its streams.
    /// </summary>
    public static async Task StreamAsync(HttpContext ctx, LabBmc bmc, CancellationToken stopping)
    {
        var token = ctx.Request.Headers["X-Auth-Token"].ToString();
        using var subscription = bmc.Events.Subscribe();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var response = ctx.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["OData-Version"] = "4.0";
        try
        {
            await response.Body.FlushAsync(cts.Token);
            var lastWrite = DateTime.UtcNow;
            while (!cts.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                wait.CancelAfter(SessionCheck);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cts.IsCancellationRequested)
                {
                    // A quiet second: is the session still there? (checking touches it, so an
                    // open stream keeps its session alive, as on real BMCs)
                    if (token.Length > 0 && bmc.Security.UseToken(token) is null) return;
                    if (DateTime.UtcNow - lastWrite > KeepAlive)
                    {
                        await response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), cts.Token);
                        await response.Body.FlushAsync(cts.Token);
                        lastWrite = DateTime.UtcNow;
                    }
                    continue;
                }
                if (!more) return; // dropped
                while (subscription.Reader.TryRead(out var evt))
                {
                    var text = $"id: {evt["Id"]}\ndata: {JsonSerializer.Serialize(evt)}\n\n";
                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cts.Token);
                }
                await response.Body.FlushAsync(cts.Token);
                lastWrite = DateTime.UtcNow;
            }
        }
        catch (OperationCanceledException)
        {
            // client gone or lab stopping
        }
        catch (IOException)
        {
            // client gone
        }
    }
}
