using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Bmcs;
using Portal.Core.Persistence;
using Portal.Core.Redfish;

namespace Portal.Core.Power;

/// <summary>
/// Listens to the Redfish event stream (EventService ServerSentEventUri, DSP0266) of every BMC
/// that offers one, up to <see cref="PowerOptions.MaxEventStreams"/>: one long-lived stream per
/// BMC over its shared session. A power or boot event makes the named system be read at once;
/// while a stream is open, the refresh job polls that BMC's machines only rarely. A broken
/// stream is reopened with backoff (logging in again when the session was lost); BMCs that
/// offer no stream, or do not fit under the limit, stay on the ordinary poll.
/// </summary>
public sealed class BmcEventStreams(
    IServiceScopeFactory scopes, BmcSessions sessions, PowerStateRefresher refresher, EventedBmcs evented,
    IOptions<PowerOptions> options, TimeProvider clock, ILogger<BmcEventStreams> logger) : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    // Only the scan loop touches _running; stream loops record "offers no stream" themselves.
    private readonly Dictionary<long, Listener> _running = [];
    private readonly ConcurrentDictionary<long, string> _noStream = new();

    private sealed record Listener(string Revision, CancellationTokenSource Stop, Task Loop);

    /// <summary>Streams being kept open (connected or reconnecting).</summary>
    public int ListenerCount => _running.Count;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (options.Value.MaxEventStreams == 0) return;
        using var timer = new PeriodicTimer(options.Value.EventStreamScanInterval, clock);
        try
        {
            do
            {
                try
                {
                    await ScanAsync(stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Looking for BMC event streams failed; trying again at the next scan");
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var listener in _running.Values) listener.Stop.Cancel();
            await Task.WhenAll(_running.Values.Select(l => l.Loop));
            _running.Clear();
        }
    }

    /// <summary>Starts listeners for BMCs that have none, stops those whose BMC left or changed credentials.</summary>
    private async Task ScanAsync(CancellationToken stopping)
    {
        List<Bmc> bmcs;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            bmcs = await db.Bmcs.AsNoTracking()
                .Where(b => b.Username != null && b.EncryptedPassword != null && db.Machines.Any(m => m.BmcId == b.Id))
                .OrderBy(b => b.Id)
                .ToListAsync(stopping);
        }
        var current = bmcs.ToDictionary(b => b.Id, b => (Bmc: b, Revision: BmcSessions.RevisionOf(b)));

        foreach (var (id, listener) in _running.ToList())
        {
            var gone = !current.TryGetValue(id, out var now) || now.Revision != listener.Revision;
            if (!gone && !listener.Loop.IsCompleted) continue;
            if (gone) listener.Stop.Cancel();
            await listener.Loop;
            listener.Stop.Dispose();
            _running.Remove(id);
        }

        foreach (var (id, (bmc, revision)) in current)
        {
            if (_running.Count >= options.Value.MaxEventStreams) break;
            if (_running.ContainsKey(id) || _noStream.TryGetValue(id, out var known) && known == revision) continue;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _running[id] = new Listener(revision, stop, Task.Run(() => ListenAsync(bmc, revision, stop.Token), CancellationToken.None));
        }
    }

    private async Task ListenAsync(Bmc bmc, string revision, CancellationToken ct)
    {
        var backoff = FirstBackoff;
        while (!ct.IsCancellationRequested)
        {
            var openedAt = (DateTimeOffset?)null;
            try
            {
                await using var lease = await sessions.AcquireAsync(bmc, ct);
                try
                {
                    var uri = await lease.Client.GetEventStreamUriAsync(ct);
                    if (uri is null)
                    {
                        logger.LogDebug("BMC {Bmc} offers no event stream; its machines stay on the regular poll", bmc.Address);
                        _noStream[bmc.Id] = revision;
                        return;
                    }
                    using var stream = await lease.Client.OpenEventStreamAsync(uri, ct);
                    openedAt = clock.GetUtcNow();
                    evented.Opened(bmc.Id);
                    logger.LogInformation("Listening to the event stream of BMC {Bmc}", bmc.Address);
                    // Whatever changed while nobody listened (first start, or the gap before a reconnect).
                    await refresher.RefreshBmcAsync(bmc.Id, lease.Client, null, ct);
                    await foreach (var evt in stream.ReadAsync(ct))
                    {
                        foreach (var system in PowerEvents.SystemsToRefresh(evt))
                            await refresher.RefreshBmcAsync(bmc.Id, lease.Client, system, ct);
                    }
                    logger.LogInformation("BMC {Bmc} ended its event stream; reconnecting", bmc.Address);
                }
                catch (RedfishException e)
                {
                    lease.InvalidateOn(e);
                    throw;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is RedfishException or HttpRequestException or IOException or ObjectDisposedException)
            {
                logger.LogInformation("Event stream of BMC {Bmc} failed: {Error}", bmc.Address, e.Message);
            }
            finally
            {
                evented.Closed(bmc.Id);
            }

            // A stream that stayed up a while starts its backoff afresh; one that keeps failing backs off to the maximum.
            if (openedAt is { } opened && clock.GetUtcNow() - opened > TimeSpan.FromMinutes(1)) backoff = FirstBackoff;
            try
            {
                await Task.Delay(backoff * (0.75 + 0.5 * Random.Shared.NextDouble()), clock, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, options.Value.EventStreamMaxBackoff.Ticks));
        }
    }
}
