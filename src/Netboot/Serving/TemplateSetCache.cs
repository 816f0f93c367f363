using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Serving;

/// <summary>The template set rendering uses, per host (one per database).</summary>
public sealed class TemplateSetCache(BootDirectory directory)
{
    // A reference, so concurrent readers see either the old or the new entry, never half of one.
    private volatile Entry? _cached;
    // One build at a time: the first fetches of a boot storm arrive together, and each building (and
    // compiling) a set of its own was most of the storm's CPU.
    private readonly SemaphoreSlim _building = new(1, 1);
    // Bumped by every template edit this instance hears of (see Invalidate).
    private long _generation;

    private sealed record Entry(long Count, long MaxId, TemplateSet Set, long Generation);

    /// <summary>Sets built so far (the netboot bench prints it: a storm builds none).</summary>
    public long Builds => Interlocked.Read(ref _builds);
    private long _builds;

    /// <summary>
    /// A template changed (an edit saved here, a 'templates' notification of migration 0024) or
    /// notifications may have been missed (the netboot change feed reconnected): the next render
    /// checks the set's version in the database again.
    /// </summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <summary>
    /// The built-in templates and snippets with the current version of every user edit laid over them.
    /// Versions are only ever added, so (count, newest id) identifies the set; it is rebuilt (and its
    /// templates recompiled) only after an edit, not for every deployment of a boot storm. While the
    /// netboot change feed is live, a set checked since the last edit it announced is used without
    /// asking the database at all.
    /// </summary>
    public async Task<TemplateSet> GetAsync(AppDbContext db, CancellationToken ct = default)
    {
        var generation = Interlocked.Read(ref _generation);
        if (directory.IsLive && _cached is { } known && known.Generation == generation) return known.Set;
        var stamp = await db.TemplateVersions.GroupBy(_ => 1).OrderBy(g => g.Key).Select(g => new { Count = (long)g.Count(), MaxId = g.Max(v => v.Id) }).FirstOrDefaultAsync(ct);
        var (count, maxId) = (stamp?.Count ?? 0, stamp?.MaxId ?? 0);
        if (_cached is { } hit && hit.Count == count && hit.MaxId == maxId)
        {
            // Checked now: current as of this generation (an edit meanwhile bumps it past this entry again).
            if (hit.Generation != generation) _cached = hit with { Generation = generation };
            return hit.Set;
        }
        await _building.WaitAsync(ct);
        try
        {
            if (_cached is { } built && built.Count == count && built.MaxId == maxId) return built.Set;
            return await BuildAsync(db, count, maxId, generation, ct);
        }
        finally
        {
            _building.Release();
        }
    }

    private async Task<TemplateSet> BuildAsync(AppDbContext db, long count, long maxId, long generation, CancellationToken ct)
    {
        var current = await db.TemplateVersions.AsNoTracking()
            .Where(v => v.Number == db.TemplateVersions.Where(o => o.TemplateId == v.TemplateId).Max(o => o.Number))
            .Join(db.Templates, v => v.TemplateId, t => t.Id, (v, t) => new { t.Kind, t.Name, v.Text })
            .ToListAsync(ct);
        var set = TemplateSet.Builtin.With(
            current.Where(c => c.Kind == TemplateKind.Template).Select(c => new TemplateSource(c.Name, c.Text)),
            current.Where(c => c.Kind == TemplateKind.Snippet).Select(c => new TemplateSource(c.Name, c.Text)));
        _cached = new Entry(count, maxId, set, generation);
        Interlocked.Increment(ref _builds);
        return set;
    }
}
