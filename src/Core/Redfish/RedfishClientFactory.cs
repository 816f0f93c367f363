using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Portal.Core.Redfish;

/// <summary>
/// Creates one <see cref="RedfishClient"/> per BMC conversation. Singleton: it owns the retry
/// pipelines and hands every client the same process-wide <see cref="RedfishConcurrencyLimiter"/>.
/// </summary>
public sealed class RedfishClientFactory
{
    private readonly RedfishOptions _options;
    private readonly RedfishConcurrencyLimiter _limiter;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _idempotent;
    private readonly ResiliencePipeline _nonIdempotent;

    public RedfishClientFactory(IOptions<RedfishOptions> options, RedfishConcurrencyLimiter limiter, ILoggerFactory? loggers = null)
    {
        _options = options.Value;
        _limiter = limiter;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<RedfishClient>();
        _idempotent = BuildPipeline(e => e.IsTransient);
        // A POST (Reset, session login) is only repeated when the BMC certainly never acted on it.
        _nonIdempotent = BuildPipeline(e => e.IsTransient && e.RequestNotProcessed);
    }

    public RedfishOptions Options => _options;

    public RedfishClient Create(BmcEndpoint endpoint, TlsPolicy tls) =>
        new(endpoint, tls, _options, _limiter, _idempotent, _nonIdempotent, _loggers.CreateLogger<RedfishClient>());

    /// <summary>Creates a client and logs in; the client is disposed again if login fails.</summary>
    public async Task<RedfishClient> ConnectAsync(BmcEndpoint endpoint, TlsPolicy tls, BmcCredential credential, CancellationToken ct = default)
    {
        var client = Create(endpoint, tls);
        try
        {
            await client.LoginAsync(credential, ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private ResiliencePipeline BuildPipeline(Func<RedfishException, bool> retryable)
    {
        var builder = new ResiliencePipelineBuilder();
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle(retryable),
                MaxRetryAttempts = _options.MaxRetries,
                Delay = _options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is RedfishException e)
                        _logger.LogInformation("Retrying after {Kind} from BMC {Bmc} ({Url}), attempt {Attempt}, waiting {Delay} ms",
                            e.Kind, e.Bmc, e.Url, args.AttemptNumber + 1, (int)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }
        return builder.Build();
    }
}
