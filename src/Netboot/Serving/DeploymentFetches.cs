using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Scheduling;
using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// Script and config fetches of active runs, done together: the fetches that gathered meanwhile share
/// one DbContext and one query, and their changes go to the <see cref="DeploymentWriter"/>. In a boot
/// storm a context and a query of their own were half of each fetch's CPU. Only a fetch's common case is
/// done here (see <see cref="DeploymentFiles.TryServeScript"/>); anything else — a run that ended, a
/// boot-mode mismatch, a render that fails, a refused token, a fetch that lost a race to another change
/// of its run — is answered null having changed nothing, and the caller serves it alone through
/// <see cref="DeploymentFiles"/>, which decides and records it.
/// </summary>
public sealed class DeploymentFetches
{
    /// <summary>Fetches per batch at most; more wait for the next one.</summary>
    internal const int MaxPerBatch = 256;

    private readonly IServiceScopeFactory scopes;
    private readonly DeploymentWriter writer;
    private readonly TemplateSetCache templates;
    private readonly DeploymentTokens tokens;
    private readonly ILiveUpdates live;
    private readonly ProvisioningWakeup wakeup;
    private readonly TimeProvider clock;
    private readonly ILogger<DeploymentFetches> logger;
    private readonly BatchQueue<Fetch> queue;

    public DeploymentFetches(IServiceScopeFactory scopes, DeploymentWriter writer, TemplateSetCache templates, DeploymentTokens tokens,
        ILiveUpdates live, ProvisioningWakeup wakeup, TimeProvider clock, ILogger<DeploymentFetches> logger)
    {
        (this.scopes, this.writer, this.templates, this.tokens) = (scopes, writer, templates, tokens);
        (this.live, this.wakeup, this.clock, this.logger) = (live, wakeup, clock, logger);
        queue = new BatchQueue<Fetch>(MaxPerBatch, RunBatchAsync, logger);
    }

    /// <summary>Batches loaded, fetches in them, and those answered null to be served alone (benches print them).</summary>
    public long Batches => Interlocked.Read(ref batches);
    public long Fetched => Interlocked.Read(ref fetched);
    public long Alone => Interlocked.Read(ref alone);
    private long batches, fetched, alone;

    /// <summary>The run's installer script, or null: serve this fetch alone.</summary>
    internal Task<string?> ScriptAsync(long deploymentId, BootQuery query, PortalUrls? urls, string from) =>
        Enqueue(new ScriptFetch(deploymentId, query, urls, from));

    /// <summary>The file of the run whose token this is, or null: serve this fetch alone.</summary>
    internal Task<string?> ConfigAsync(string token, DeploymentFiles.ConfigFile file, PortalUrls? urls, string from) =>
        Enqueue(new ConfigFetch(token, DeploymentTokens.Hash(token), file, urls, from));

    private Task<string?> Enqueue(Fetch fetch)
    {
        queue.Add(fetch);
        return AnsweredAsync(fetch.Answer.Task);
    }

    private async Task<string?> AnsweredAsync(Task<string?> answer)
    {
        var body = await answer;
        if (body is null) Interlocked.Increment(ref alone);
        return body;
    }

    /// <summary>
    /// Loads the batch's runs, does each fetch on its run and hands the changes to the writer; the
    /// answers follow each run's commit, while the next batch is loaded.
    /// </summary>
    private async Task RunBatchAsync(List<Fetch> batch)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var ids = batch.OfType<ScriptFetch>().Select(f => f.DeploymentId).ToList();
            var hashes = batch.OfType<ConfigFetch>().Select(f => f.TokenHash).ToList();
            // By id and by token apart: each is one index lookup per run (with OR, PostgreSQL read every active run).
            var runs = ids.Count == 0 ? [] : await Active(db).Where(d => ids.Contains(d.Id)).ToListAsync();
            if (hashes.Count > 0) runs.AddRange(await Active(db).Where(d => hashes.Contains(d.TokenHash) && !ids.Contains(d.Id)).ToListAsync());
            // Only the runs are tracked: their machines and profiles are read, never changed here, and tracking
            // them (snapshots of a machine's hardware lists) was most of a batch's load.
            foreach (var run in runs) db.Entry(run).State = EntityState.Unchanged;
            Interlocked.Increment(ref batches);
            Interlocked.Add(ref fetched, batch.Count);
            var set = await templates.GetAsync(db);
            var now = clock.GetUtcNow();
            var byId = runs.ToDictionary(d => d.Id);
            var byHash = runs.ToDictionary(d => d.TokenHash);
            var done = new Dictionary<long, Fetch>();
            foreach (var fetch in batch)
            {
                // Not an active run (served alone, which says why), a second fetch of one in this batch, or not the common case.
                if (fetch.Find(byId, byHash) is not { } run || !done.TryAdd(run.Id, fetch) || fetch.Do(run, set, tokens, now) is not { } body)
                {
                    fetch.Answer.TrySetResult(null);
                    continue;
                }
                fetch.Body = body;
            }
            var units = DeploymentWriter.Unit.PerDeployment(db)?.ToDictionary(u => u.DeploymentId);
            foreach (var (id, fetch) in done)
            {
                if (fetch.Body is null) continue;
                if (units?.GetValueOrDefault(id) is { } unit) _ = AnswerAsync(id, fetch, writer.StoreAsync(unit));
                else fetch.Answer.TrySetResult(null);
            }
        }
        catch (Exception e)
        {
            // Each is served alone instead, and meets the problem (if it lasts) on its own.
            logger.LogWarning(e, "Netboot fetches of {Count} runs could not be done together; serving each alone", batch.Count);
            foreach (var fetch in batch) fetch.Answer.TrySetResult(null);
        }
    }

    private static IQueryable<Deployment> Active(AppDbContext db) =>
        db.Deployments.AsNoTracking().Include(d => d.Machine).Include(d => d.Profile).Where(d => d.State == DeploymentState.Active);

    private async Task AnswerAsync(long deploymentId, Fetch fetch, Task<bool> stored)
    {
        bool saved;
        try { saved = await stored; }
        catch (Exception) { saved = false; } // the writer logged it; served alone, the fetch meets it again or succeeds
        if (saved)
        {
            try { await live.DeploymentChangedAsync(deploymentId, CancellationToken.None); }
            catch (Exception e) { logger.LogWarning(e, "Could not announce the netboot fetch of deployment {DeploymentId}", deploymentId); }
            if (fetch.EndsAWait) wakeup.Wake(deploymentId);
        }
        fetch.Answer.TrySetResult(saved ? fetch.Body : null);
    }

    private abstract class Fetch
    {
        public TaskCompletionSource<string?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string? Body { get; set; }

        /// <summary>Whether it ends a step's wait for the machine (the run is woken once it is stored).</summary>
        public abstract bool EndsAWait { get; }

        public abstract Deployment? Find(Dictionary<long, Deployment> byId, Dictionary<string, Deployment> byHash);

        public abstract string? Do(Deployment run, Templates.TemplateSet set, DeploymentTokens tokens, DateTimeOffset now);
    }

    private sealed class ScriptFetch(long deploymentId, BootQuery query, PortalUrls? urls, string from) : Fetch
    {
        public long DeploymentId => deploymentId;
        public override bool EndsAWait => true;
        public override Deployment? Find(Dictionary<long, Deployment> byId, Dictionary<string, Deployment> byHash) => byId.GetValueOrDefault(deploymentId);

        public override string? Do(Deployment run, Templates.TemplateSet set, DeploymentTokens tokens, DateTimeOffset now) =>
            DeploymentFiles.TryServeScript(run, tokens, set, query, urls, from, now);
    }

    private sealed class ConfigFetch(string token, string tokenHash, DeploymentFiles.ConfigFile file, PortalUrls? urls, string from) : Fetch
    {
        public string TokenHash => tokenHash;
        public override bool EndsAWait => file != DeploymentFiles.ConfigFile.MetaData;
        public override Deployment? Find(Dictionary<long, Deployment> byId, Dictionary<string, Deployment> byHash) => byHash.GetValueOrDefault(tokenHash);

        public override string? Do(Deployment run, Templates.TemplateSet set, DeploymentTokens tokens, DateTimeOffset now) =>
            DeploymentFiles.TryServeConfig(run, set, token, file, urls, from, now);
    }
}
