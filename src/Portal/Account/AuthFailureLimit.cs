using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Account;

/// <summary>Configuration section "Security:AuthFailureLimit": failed sign-ins and API token failures allowed per address.</summary>
public sealed class AuthFailureLimitOptions
{
    public const string Section = "Security:AuthFailureLimit";

    /// <summary>Failures per address in one window; 0 turns the limit off.</summary>
    public int PermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Counts failed sign-ins and failed API token authentications per client address (the forwarded
/// one behind a trusted proxy). Only failures count, so a script that polls with a good token is
/// never slowed; once an address has used up its failures for the window, every further sign-in
/// post or token-bearing request from it is answered 429 by ASP.NET Core's rate-limiting
/// middleware (<see cref="AuthFailureGate"/>) before a password or token is even looked at.
/// Per address, not per account: a lockout per account is what a stranger could use to shut
/// someone out, so that applies to password sign-in only (see Login).
/// </summary>
internal sealed class AuthFailureLimit : IDisposable
{
    private readonly PartitionedRateLimiter<string>? limiter;

    public AuthFailureLimit(IOptions<AuthFailureLimitOptions> options)
    {
        var o = options.Value;
        if (o.PermitLimit == 0) return;
        limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = o.PermitLimit, Window = o.Window, QueueLimit = 0, AutoReplenishment = true }));
    }

    /// <summary>Counts a failure from the request's address.</summary>
    public void Failed(HttpContext http)
    {
        if (limiter is null) return;
        using var _ = limiter.AttemptAcquire(AddressOf(http));
    }

    /// <summary>Whether the address may still try (asking takes no permit: successes never count).</summary>
    public RateLimitLease Check(HttpContext http) => limiter is null ? Allowed : limiter.AttemptAcquire(AddressOf(http), 0);

    /// <summary>The answer for requests that are not checked at all.</summary>
    public static RateLimitLease Allowed { get; } = new AllowedLease();

    // Requests without a socket address (in-process hosts) share one bucket.
    private static string AddressOf(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } a ? (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString() : "unknown";

    public void Dispose() => limiter?.Dispose();

    private sealed class AllowedLease : RateLimitLease
    {
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata) { metadata = null; return false; }
    }
}

/// <summary>
/// The global limiter of ASP.NET Core's rate-limiting middleware: sign-in posts and requests that
/// carry a token are let through only while their address has failures left in <see cref="AuthFailureLimit"/>.
/// </summary>
internal sealed class AuthFailureGate(AuthFailureLimit failures) : PartitionedRateLimiter<HttpContext>
{
    public static bool Guards(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/account/login"))
        || request.Headers.Authorization.Count > 0;

    protected override RateLimitLease AttemptAcquireCore(HttpContext http, int permitCount) =>
        Guards(http.Request) ? failures.Check(http) : AuthFailureLimit.Allowed;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext http, int permitCount, CancellationToken ct) =>
        ValueTask.FromResult(AttemptAcquireCore(http, permitCount));

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;
}

internal static class AuthFailureLimitSetup
{
    public static void AddAuthFailureLimit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthFailureLimitOptions>().Bind(configuration.GetSection(AuthFailureLimitOptions.Section))
            .Validate(o => o.PermitLimit >= 0 && o.Window > TimeSpan.Zero,
                $"{AuthFailureLimitOptions.Section}:PermitLimit must be 0 (off) or more and its Window positive, e.g. 00:01:00")
            .ValidateOnStart();
        services.AddSingleton<AuthFailureLimit>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<AuthFailureLimit>((o, failures) =>
        {
            o.GlobalLimiter = new AuthFailureGate(failures);
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
        });
    }

    /// <summary>429 with Retry-After: problem+json for the API, a short page for the sign-in form.</summary>
    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var http = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var message = $"Too many failed sign-ins or API token checks from your address. Try again in {seconds} s.";
        if (http.Request.Path.StartsWithSegments("/account/login"))
        {
            http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync($"""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Too many attempts · Portal</title></head>
                <body><h1>Too many attempts</h1><p id="rate-limited">{WebUtility.HtmlEncode(message)}</p><p><a href="/account/login">Back to sign-in</a></p></body></html>
                """, ct);
            return;
        }
        await TypedResults.Problem(message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(http);
    }
}
