using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Netboot.Serving;

/// <summary>
/// Requests per source address on the anonymous netboot routes (Netboot:RateLimit): a fixed window per
/// remote IP address, no queue; a refused request gets 429 with Retry-After, and a flood is logged once
/// per address per minute, not per request.
/// </summary>
/// <remarks>
/// An endpoint filter rather than ASP.NET Core's rate-limiting middleware with RequireRateLimiting: the
/// netboot group is short-circuited (it runs straight from routing), so no middleware after routing runs
/// for it, UseRateLimiter included; tried, the policy on a short-circuited group was never applied. The
/// filter uses the same limiter primitives (System.Threading.RateLimiting) inside the endpoints.
/// The address is the connection's: the Portal trusts no forwarded headers, so a client cannot choose its partition.
/// </remarks>
internal sealed class NetbootRateLimit : IEndpointFilter, IDisposable
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromMinutes(1);
    private const int MaxRemembered = 10_000;

    private readonly PartitionedRateLimiter<IPAddress>? _limiter;
    private readonly int _permits;
    private readonly TimeSpan _window;
    private readonly TimeProvider _clock;
    private readonly ILogger<NetbootRateLimit> _logger;
    private readonly ConcurrentDictionary<IPAddress, Refusals> _refusals = new();

    public NetbootRateLimit(IOptions<NetbootOptions> options, TimeProvider clock, ILogger<NetbootRateLimit> logger)
    {
        var limit = options.Value.RateLimit;
        _permits = limit.PermitLimit;
        _window = limit.Window;
        _clock = clock;
        _logger = logger;
        if (limit.PermitLimit > 0)
            _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
                new FixedWindowRateLimiterOptions { PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    public bool Enabled => _limiter is not null;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var address = context.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        using var lease = _limiter!.AttemptAcquire(address);
        if (lease.IsAcquired) return await next(context);

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _window;
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        Refused(address);
        return NetbootHttp.Error(StatusCodes.Status429TooManyRequests, $"too many requests from {address}; retry in {seconds} s");
    }

    /// <summary>Counts a refusal; logs the first one of an address and then at most once a minute with the count since.</summary>
    private void Refused(IPAddress address)
    {
        var now = _clock.GetUtcNow();
        var refusals = _refusals.GetOrAdd(address, _ => new Refusals());
        long count;
        lock (refusals)
        {
            refusals.Count++;
            if (now - refusals.LoggedAt < LogEvery) return;
            (count, refusals.Count, refusals.LoggedAt) = (refusals.Count, 0, now);
        }
        _logger.LogWarning("Netboot: refused {Count} requests from {Address} over the limit of {Permits} per {Window} (logged at most once a minute per address)",
            count, address, _permits, _window);
        // Many flooding addresses (IPv6): forget those not heard of for a minute, so this stays small.
        if (_refusals.Count > MaxRemembered)
            foreach (var (key, value) in _refusals)
                if (now - value.LoggedAt >= LogEvery) _refusals.TryRemove(key, out _);
    }

    public void Dispose() => _limiter?.Dispose();

    private sealed class Refusals
    {
        public long Count;
        public DateTimeOffset LoggedAt = DateTimeOffset.MinValue;
    }
}

internal static class NetbootRateLimitExtensions
{
    /// <summary>Limits every route of the group per source address, unless Netboot:RateLimit:PermitLimit is 0 (then nothing is added, not even a filter).</summary>
    public static RouteGroupBuilder LimitPerSourceAddress(this RouteGroupBuilder group, IServiceProvider services)
    {
        var limit = services.GetRequiredService<NetbootRateLimit>();
        if (limit.Enabled) group.AddEndpointFilter(limit);
        return group;
    }
}
