using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Persistence;
using Portal.Core.Redfish;

namespace Portal.Core.Discovery.Runs;

/// <summary>Options section "Discovery".</summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "Discovery";
    /// <summary>BMCs worked on at once. Requests per BMC are limited separately (Redfish options).</summary>
    [Range(1, 1024)] public int MaxParallelBmcs { get; set; } = 64;
    /// <summary>How often the periodic run happens; 0 turns it off.</summary>
    [Range(0, 1440)] public int IntervalMinutes { get; set; } = 15;
    /// <summary>
    /// The only folders lease-file sources may name (the Portal runs as root; a source must not make it
    /// read any file it likes). Empty: <see cref="DefaultLeaseDirectories"/>. The lab adds its own folder.
    /// </summary>
    public List<string> LeaseDirectories { get; set; } = [];
    /// <summary>A lease file larger than this is not read (ISC files grow between compactions; 64 MiB is far beyond a real one).</summary>
    [Range(1, int.MaxValue)] public int MaxLeaseFileBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Where Debian's dnsmasq and ISC dhcpd keep their lease files.</summary>
    public static readonly IReadOnlyList<string> DefaultLeaseDirectories = ["/var/lib/misc", "/var/lib/dnsmasq", "/var/lib/dhcp"];

    public IReadOnlyList<string> AllowedLeaseDirectories => LeaseDirectories.Count > 0 ? LeaseDirectories : DefaultLeaseDirectories;
}

/// <summary>
/// A discovery run over every enabled source, or the onboarding of one MAC. Network work runs in
/// parallel; each candidate gets its own DI scope and DbContext.
/// </summary>
public sealed class DiscoveryRunner(IServiceScopeFactory scopes, DiscoveryProgressStore progress, IOptions<DiscoveryOptions> options, TimeProvider clock, ILogger<DiscoveryRunner> logger)
{
    // One run at a time per instance: BMCs are fragile and two sweeps would double the load.
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    public bool IsRunning => oneAtATime.CurrentCount == 0;

    /// <summary>Starts a run in the background unless one is going; false when one is.</summary>
    public bool TryStartInBackground(Actor actor, CancellationToken stopping)
    {
        if (!oneAtATime.Wait(0)) return false;
        _ = Task.Run(async () =>
        {
            // A failure is logged and shown as the run's state by RunLockedAsync; nobody awaits this task.
            try { await RunLockedAsync(actor, stopping); }
            catch (Exception e) when (e is not OperationCanceledException) { }
            finally { oneAtATime.Release(); }
        }, CancellationToken.None);
        return true;
    }

    public async Task<DiscoveryProgress> RunAsync(Actor actor, CancellationToken ct)
    {
        await oneAtATime.WaitAsync(ct);
        try { return await RunLockedAsync(actor, ct); }
        finally { oneAtATime.Release(); }
    }

    private async Task<DiscoveryProgress> RunLockedAsync(Actor actor, CancellationToken ct)
    {
        var startedAt = clock.GetUtcNow();
        try
        {
            List<DiscoveryCandidate> candidates;
            List<string> issues;
            await using (var scope = scopes.CreateAsyncScope())
                (candidates, issues) = await scope.ServiceProvider.GetRequiredService<CandidateFinder>().FindAsync(ct);
            return await RunCandidatesAsync(candidates, issues, actor, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Discovery run failed");
            progress.Fail(startedAt, $"The run stopped: {e.Message}", clock.GetUtcNow());
            throw;
        }
    }

    public async Task<DiscoveryProgress> OnboardByMacAsync(MacAddress mac, Actor actor, CancellationToken ct)
    {
        var issues = new List<string>();
        DiscoveryCandidate? candidate;
        await using (var scope = scopes.CreateAsyncScope())
            candidate = await scope.ServiceProvider.GetRequiredService<CandidateFinder>().FindByMacAsync(mac, issues, ct);
        if (candidate is null) issues.Add($"No lease for {mac} in any lease-file source: is the BMC on a network whose DHCP leases Portal reads?");
        return await RunCandidatesAsync(candidate is null ? [] : [candidate], issues, actor, ct);
    }

    /// <summary>Onboards one known BMC again at the address it was last seen at (e.g. after its certificate was re-pinned).</summary>
    public Task<DiscoveryProgress> RediscoverAsync(Bmc bmc, Actor actor, CancellationToken ct) =>
        RunCandidatesAsync([new DiscoveryCandidate(new BmcEndpoint(bmc.Address, bmc.Port, bmc.UseHttps), MacAddress.Parse(bmc.Mac), null, "rediscovery")], [], actor, ct);

    private async Task<DiscoveryProgress> RunCandidatesAsync(List<DiscoveryCandidate> candidates, List<string> issues, Actor actor, CancellationToken ct)
    {
        var run = progress.Start(candidates.Count, issues, clock.GetUtcNow());
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MaxParallelBmcs, CancellationToken = ct },
            async (candidate, token) =>
            {
                OnboardOutcome outcome;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    outcome = await scope.ServiceProvider.GetRequiredService<BmcOnboarding>().OnboardAsync(candidate, actor, token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One broken candidate must not stop the run; it is reported with its reason.
                    logger.LogError(e, "Discovery of {Candidate} failed", candidate);
                    outcome = new OnboardOutcome(OnboardResult.Failed, Issue: $"{candidate}: {e.Message}");
                }
                progress.Record(run, outcome);
            });
        var result = progress.Finish(run, clock.GetUtcNow());
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.AuditEvents.Add(AuditEvent.Record(actor, "discovery.run", "discovery", run.ToString(),
                $"{result.Total} candidates: {result.Inventoried} inventoried, {result.PendingCredentials} awaiting credentials, {result.Failed} failed, {result.Machines} machines", clock.GetUtcNow()));
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return result;
    }
}
