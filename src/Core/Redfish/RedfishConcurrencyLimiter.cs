using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Portal.Core.Redfish;

/// <summary>
/// Process-wide request slots: at most <see cref="RedfishOptions.MaxConcurrentRequestsPerBmc"/>
/// per BMC (keyed by host:port, so two clients for the same BMC share them) and
/// <see cref="RedfishOptions.MaxConcurrentRequests"/> overall. Registered as a singleton.
/// </summary>
public sealed class RedfishConcurrencyLimiter(IOptions<RedfishOptions> options)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _perBmc = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _global = new(options.Value.MaxConcurrentRequests, options.Value.MaxConcurrentRequests);
    private readonly int _perBmcLimit = options.Value.MaxConcurrentRequestsPerBmc;

    public RedfishConcurrencyLimiter() : this(Options.Create(new RedfishOptions())) { }

    /// <summary>Waits for a slot on this BMC, then a global one. Dispose the result to release both.</summary>
    public async ValueTask<IDisposable> AcquireAsync(string bmcKey, CancellationToken ct)
    {
        var bmc = _perBmc.GetOrAdd(bmcKey, _ => new SemaphoreSlim(_perBmcLimit, _perBmcLimit));
        // BMC first: a request queued behind its own BMC must not sit on a global slot
        // that requests to idle BMCs could use.
        await bmc.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _global.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            bmc.Release();
            throw;
        }
        return new Lease(bmc, _global);
    }

    private sealed class Lease(SemaphoreSlim bmc, SemaphoreSlim global) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            global.Release();
            bmc.Release();
        }
    }
}
