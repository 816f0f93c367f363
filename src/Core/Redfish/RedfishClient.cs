using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Redfish;

public enum RedfishAuthMode
{
    None,
    Session,
    Basic,
}

/// <summary>
/// One conversation with one BMC: probe, log in, read resources by following their links,
/// run actions. Every request waits for a per-BMC and a global slot, has its own timeout and
/// is retried with backoff when the failure is transient. Dispose to log the session out.
/// </summary>
public sealed partial class RedfishClient : IAsyncDisposable
{
    private const string ServiceRootPath = "/redfish/v1/";

    private readonly RedfishOptions _options;
    private readonly RedfishConcurrencyLimiter _limiter;
    private readonly ResiliencePipeline _idempotent;
    private readonly ResiliencePipeline _nonIdempotent;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly TlsPolicy _tls;
    private readonly SemaphoreSlim _loginLock = new(1, 1);

    private string? _pinnedSha256;
    private string? _presentedSha256;
    private volatile TlsRejection _tlsRejection;
    private long _requestCount;

    private ServiceRoot? _root;
    private BmcCredential? _credential;
    private AuthenticationHeaderValue? _basic;
    private volatile string? _sessionToken;
    private Uri? _sessionUri;
    private int _disposed;

    private enum TlsRejection { None, Changed, Untrusted }

    internal RedfishClient(
        BmcEndpoint endpoint,
        TlsPolicy tls,
        RedfishOptions options,
        RedfishConcurrencyLimiter limiter,
        ResiliencePipeline idempotent,
        ResiliencePipeline nonIdempotent,
        ILogger logger)
    {
        Endpoint = endpoint;
        _tls = tls;
        _pinnedSha256 = tls.PinnedSha256?.Replace(":", "").ToUpperInvariant();
        _options = options;
        _limiter = limiter;
        _idempotent = idempotent;
        _nonIdempotent = nonIdempotent;
        _logger = logger;

        _http = NewHttpClient(options.MaxConcurrentRequestsPerBmc);
    }

    /// <summary>A handler per client: the certificate callback belongs to this BMC's policy.</summary>
    private HttpClient NewHttpClient(int maxConnections)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = _options.RequestTimeout,
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false, // a redirect must never carry our credentials elsewhere
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateCertificate,
                // Pinning compares the certificate's hash and ignores the chain, so do not have
                // every handshake search the system trust store for the issuer of a self-signed
                // certificate; Verify keeps the platform's normal validation.
                CertificateChainPolicy = _tls.Mode == TlsMode.PinOnFirstUse ? PinningChainPolicy() : null,
            },
        };
        var http = new HttpClient(handler) { BaseAddress = Endpoint.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.DefaultRequestHeaders.Add("OData-Version", "4.0");
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Portal", "1.0"));
        return http;
    }

    public BmcEndpoint Endpoint { get; }

    /// <summary>SHA-256 of the certificate the BMC presented (hex, upper case); store it to pin it.</summary>
    public string? CertificateSha256 => _presentedSha256;

    public RedfishAuthMode AuthMode => _sessionToken is not null ? RedfishAuthMode.Session : _basic is not null ? RedfishAuthMode.Basic : RedfishAuthMode.None;

    /// <summary>HTTP requests sent so far, retries included (for diagnostics and benchmarks).</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    /// <summary>Reads the service root without credentials: "is there a Redfish service here?"</summary>
    public Task<ServiceRoot> ProbeAsync(CancellationToken ct = default) => ProbeAsync(retry: true, ct);

    /// <summary>
    /// As <see cref="ProbeAsync(CancellationToken)"/>; <paramref name="retry"/> false makes one
    /// attempt only, for sweeping CIDR ranges where most addresses have no BMC at all.
    /// </summary>
    public async Task<ServiceRoot> ProbeAsync(bool retry, CancellationToken ct = default)
    {
        if (_root is not null)
            return _root;
        var request = new Request(HttpMethod.Get, Resolve(ServiceRootPath)) { NoRetry = !retry };
        var response = await SendAsync(request, authenticate: false, ct).ConfigureAwait(false);
        EnsureSuccess(response);
        return _root = Deserialize<ServiceRoot>(response);
    }

    /// <summary>
    /// Logs in with a Redfish session (POST to the Sessions collection the service root links
    /// to); falls back to Basic authentication when the BMC has no session service.
    /// </summary>
    public async Task LoginAsync(BmcCredential credential, CancellationToken ct = default)
    {
        _credential = credential;
        var root = await ProbeAsync(ct).ConfigureAwait(false);
        await _loginLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (await TryCreateSessionAsync(root, credential, ct).ConfigureAwait(false))
                return;

            _basic = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
            // Basic is only checked when used: read something that needs authentication now,
            // so a wrong password shows up as AuthFailed at login, not halfway through inventory.
            var probeLink = root.Systems?.ODataId ?? root.Managers?.ODataId ?? root.Chassis?.ODataId
                ?? throw Malformed(Resolve(ServiceRootPath), "The service root links to no Systems, Managers or Chassis.");
            var check = await SendAsync(new Request(HttpMethod.Get, Resolve(probeLink)), authenticate: true, ct).ConfigureAwait(false);
            EnsureSuccess(check);
            _logger.LogDebug("BMC {Bmc}: logged in with Basic authentication", Endpoint);
        }
        finally
        {
            _loginLock.Release();
        }
    }

    private async Task<bool> TryCreateSessionAsync(ServiceRoot root, BmcCredential credential, CancellationToken ct)
    {
        var sessionsLink = root.Links?.Sessions?.ODataId;
        if (sessionsLink is null && root.SessionService?.ODataId is { } serviceLink)
        {
            // Some firmware only links the SessionService; it may need auth to read, so a
            // failure here just means "no sessions", not an error.
            var service = await SendAsync(new Request(HttpMethod.Get, Resolve(serviceLink)), authenticate: false, ct).ConfigureAwait(false);
            if (service.IsSuccess && TryDeserialize<SessionService>(service) is { } parsed)
                sessionsLink = parsed.Sessions?.ODataId;
        }
        if (sessionsLink is null)
            return false;

        var url = Resolve(sessionsLink);
        var body = JsonSerializer.SerializeToUtf8Bytes(new { UserName = credential.Username, credential.Password });
        var response = await SendAsync(new Request(HttpMethod.Post, url, body, Idempotent: false), authenticate: false, ct).ConfigureAwait(false);
        if (response.Status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
            return false;
        if (IsSessionLimit(response))
        {
            // Every session slot is taken (other tools, or sessions nobody logged out): Basic
            // still works and takes no slot.
            _logger.LogInformation("BMC {Bmc}: session limit reached; using Basic authentication", Endpoint);
            return false;
        }
        EnsureSuccess(response);
        if (response.AuthToken is not { Length: > 0 } token)
        {
            _logger.LogInformation("BMC {Bmc}: session created without X-Auth-Token; using Basic authentication", Endpoint);
            return false;
        }

        _sessionToken = token;
        var location = response.Location?.ToString() ?? TryDeserialize<ODataLinkOnly>(response)?.ODataId;
        _sessionUri = location is null ? null : Resolve(location);
        _logger.LogDebug("BMC {Bmc}: session created", Endpoint);
        return true;
    }

    private sealed record ODataLinkOnly : RedfishResource;

    /// <summary>Session tokens expire; log in again once when the BMC says 401 mid-conversation.</summary>
    private async Task<bool> RenewSessionAsync(string? expiredToken, CancellationToken ct)
    {
        if (_credential is null || expiredToken is null || _root is null)
            return false;
        await _loginLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_sessionToken != expiredToken)
                return true; // another caller already renewed it
            _logger.LogInformation("BMC {Bmc}: session rejected, logging in again", Endpoint);
            _sessionToken = null;
            _sessionUri = null;
            return await TryCreateSessionAsync(_root, _credential, ct).ConfigureAwait(false);
        }
        finally
        {
            _loginLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_sessionToken is not null && _sessionUri is not null)
        {
            // Logging out frees one of the few session slots a BMC has; best effort, bounded.
            try
            {
                using var cts = new CancellationTokenSource(_options.LogoutTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Delete, _sessionUri);
                request.Headers.Add("X-Auth-Token", _sessionToken);
                using var slot = await _limiter.AcquireAsync(Endpoint.Key, cts.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _requestCount);
                using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
                _logger.LogDebug("BMC {Bmc}: session logout returned {Status}", Endpoint, (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                _logger.LogInformation("BMC {Bmc}: session logout failed ({Error})", Endpoint, e.GetType().Name);
            }
            _sessionToken = null;
        }
        _http.Dispose();
        _streamHttp?.Dispose();
        _loginLock.Dispose();
    }

    private static X509ChainPolicy PinningChainPolicy() => new()
    {
        TrustMode = X509ChainTrustMode.CustomRootTrust,
        RevocationMode = X509RevocationMode.NoCheck,
        DisableCertificateDownloads = true,
    };

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            _tlsRejection = TlsRejection.Untrusted;
            return false;
        }
        var presented = Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));
        _presentedSha256 = presented;

        if (_tls.Mode == TlsMode.Verify)
        {
            if (errors == SslPolicyErrors.None)
                return true;
            _tlsRejection = TlsRejection.Untrusted;
            return false;
        }

        // Pin on first use: BMC certificates are self-signed, so the chain says nothing; what
        // matters is that it is the same certificate as last time. The first one seen by this
        // client is pinned for the rest of the conversation too.
        var pinned = Interlocked.CompareExchange(ref _pinnedSha256, presented, null) ?? presented;
        if (string.Equals(pinned, presented, StringComparison.OrdinalIgnoreCase))
            return true;
        _tlsRejection = TlsRejection.Changed;
        return false;
    }
}
