using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Bmcs;
using Portal.Core.Redfish;

namespace Portal.Core.Power;

/// <summary>
/// One logged-in Redfish client per BMC, shared by everyone who talks to it: BMCs are slow to
/// create sessions and have only a few slots, so logging in for every refresh is what makes
/// their web servers fall over. A session is kept per BMC and credential revision (address,
/// user, encrypted password, pinned certificate): new credentials start a new session and the
/// old one is logged out once nobody uses it. The client itself logs in again once on a 401.
/// Sessions unused for <see cref="PowerOptions.SessionIdleTimeout"/> are logged out, and all
/// of them when the host stops.
/// </summary>
public sealed class BmcSessions : IHostedService, IAsyncDisposable
{
    private readonly BmcConnector _connector;
    private readonly TimeProvider _clock;
    private readonly ILogger<BmcSessions> _logger;
    private readonly TimeSpan _idleTimeout;
    private readonly Dictionary<long, Entry> _entries = [];
    private readonly Lock _sync = new();
    private readonly ITimer _sweeper;
    private bool _closed;

    public BmcSessions(BmcConnector connector, IOptions<PowerOptions> options, TimeProvider clock, ILogger<BmcSessions> logger)
    {
        _connector = connector;
        _clock = clock;
        _logger = logger;
        _idleTimeout = options.Value.SessionIdleTimeout;
        var sweep = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, _idleTimeout.Ticks / 4));
        _sweeper = clock.CreateTimer(_ => CloseIdle(), null, sweep, sweep);
    }

    /// <summary>Sessions open now (for diagnostics and tests).</summary>
    public int OpenCount
    {
        get { lock (_sync) return _entries.Count; }
    }

    /// <summary>The BMC's shared, logged-in client; dispose the lease when done (that does not log out).</summary>
    public async Task<BmcLease> AcquireAsync(Bmc bmc, CancellationToken ct)
    {
        var revision = RevisionOf(bmc);
        Entry entry;
        lock (_sync)
        {
            if (_closed)
            {
                // Shutting down (a job finishing its run): a session of its own, logged out when released.
                entry = new Entry(revision, _connector.ConnectAsync(bmc, CancellationToken.None)) { Retired = true, Leases = 1 };
            }
            else
            {
                entry = CurrentLocked(bmc.Id, revision, bmc);
                entry.Leases++;
            }
        }
        try
        {
            var client = await entry.Connecting.WaitAsync(ct).ConfigureAwait(false);
            return new BmcLease(this, bmc.Id, entry, client);
        }
        catch
        {
            lock (_sync)
            {
                entry.Leases--;
                if (entry.Connecting.IsFaulted && _entries.GetValueOrDefault(bmc.Id) == entry) _entries.Remove(bmc.Id);
                if (entry.Retired && entry.Leases == 0) _ = CloseLocked(entry);
            }
            throw;
        }
    }

    // Under _sync: the BMC's entry for this revision, replacing one for an older revision or a failed login.
    private Entry CurrentLocked(long bmcId, string revision, Bmc bmc)
    {
        if (_entries.TryGetValue(bmcId, out var current) && current.Revision == revision && !current.Connecting.IsFaulted)
            return current;
        if (current is not null) RetireLocked(bmcId, current);
        // Connect without the caller's token: other callers may be waiting for this login too.
        current = new Entry(revision, _connector.ConnectAsync(bmc, CancellationToken.None));
        _entries[bmcId] = current;
        return current;
    }

    /// <summary>
    /// The hash that names a credential revision; kept instead of the secret itself. A new
    /// address, user, password (a new ciphertext) or pinned certificate means a new session.
    /// </summary>
    internal static string RevisionOf(Bmc bmc) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{bmc.Address}\n{bmc.Port}\n{bmc.UseHttps}\n{bmc.Username}\n{bmc.EncryptedPassword}\n{bmc.PinnedCertificateSha256}")));

    internal void Release(long bmcId, Entry entry, bool invalidate)
    {
        lock (_sync)
        {
            entry.Leases--;
            entry.LastUsed = _clock.GetUtcNow();
            if (invalidate && _entries.GetValueOrDefault(bmcId) == entry) RetireLocked(bmcId, entry);
            else if (entry.Retired && entry.Leases == 0) _ = CloseLocked(entry);
        }
    }

    // Under _sync: out of the table; logged out now if nobody holds it, else by the last lease.
    private void RetireLocked(long bmcId, Entry entry)
    {
        if (_entries.GetValueOrDefault(bmcId) == entry) _entries.Remove(bmcId);
        entry.Retired = true;
        if (entry.Leases == 0) _ = CloseLocked(entry);
    }

    // Under _sync: logs the entry's session out once (after its login, if that is still under way).
    private Task CloseLocked(Entry entry)
    {
        if (entry.Closed) return Task.CompletedTask;
        entry.Closed = true;
        return entry.Connecting.ContinueWith(
            login => login.IsCompletedSuccessfully ? LogOutAsync(login.Result) : Task.CompletedTask,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    private async Task LogOutAsync(RedfishClient client)
    {
        try
        {
            await client.DisposeAsync().ConfigureAwait(false); // logs the session out (bounded by LogoutTimeout)
        }
        catch (Exception e)
        {
            _logger.LogInformation("Logging out of BMC {Bmc} failed: {Error}", client.Endpoint, e.Message);
        }
    }

    private void CloseIdle()
    {
        var limit = _clock.GetUtcNow() - _idleTimeout;
        lock (_sync)
        {
            foreach (var (bmcId, entry) in _entries.Where(e => e.Value.Leases == 0 && e.Value.LastUsed < limit).ToList())
            {
                _logger.LogDebug("Closing the idle session of BMC {BmcId}", bmcId);
                RetireLocked(bmcId, entry);
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Logs every session out: a BMC's session table outlives the Portal otherwise (until its own timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Task> logouts;
        lock (_sync)
        {
            _closed = true;
            logouts = _entries.Values.Select(e =>
            {
                e.Retired = true;
                return CloseLocked(e);
            }).ToList();
            _entries.Clear();
        }
        await Task.WhenAll(logouts).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    internal sealed class Entry(string revision, Task<RedfishClient> connecting)
    {
        public string Revision { get; } = revision;
        public Task<RedfishClient> Connecting { get; } = connecting;
        public int Leases { get; set; }
        public DateTimeOffset LastUsed { get; set; } = DateTimeOffset.MinValue;
        public bool Retired { get; set; }
        public bool Closed { get; set; }
    }
}

/// <summary>Use of a BMC's shared session. <see cref="Invalidate"/> when the BMC refused it, so the next user logs in afresh.</summary>
public sealed class BmcLease : IAsyncDisposable
{
    private readonly BmcSessions _owner;
    private readonly long _bmcId;
    private readonly BmcSessions.Entry _entry;
    private int _released;
    private bool _invalid;

    internal BmcLease(BmcSessions owner, long bmcId, BmcSessions.Entry entry, RedfishClient client)
    {
        _owner = owner;
        _bmcId = bmcId;
        _entry = entry;
        Client = client;
    }

    public RedfishClient Client { get; }

    public void Invalidate() => _invalid = true;

    /// <summary>
    /// Drops the session when the failure says it is no good any more (credentials refused
    /// even after the client's one re-login, a different certificate); a timeout or a 500 does not.
    /// </summary>
    public void InvalidateOn(Exception e)
    {
        if (e is RedfishException { Kind: RedfishErrorKind.AuthFailed or RedfishErrorKind.TlsCertificateChanged or RedfishErrorKind.TlsUntrusted })
            Invalidate();
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(_bmcId, _entry, _invalid);
        return ValueTask.CompletedTask;
    }
}
