using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Leases;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Discovery;
using Portal.Netboot;
using Portal.Netboot.Templates;

namespace Portal.Fleet;

/// <summary>
/// Makes the Portal match a <see cref="FleetDocument"/>: creates and updates what differs and, with prune,
/// deletes what the document does not name — all in one transaction, and only after the whole document
/// was checked (one broken template, with its line, refuses everything). What already matches is left
/// untouched, so applying the same document twice changes nothing the second time. A dry run computes
/// the same plan on tracked entities and saves nothing.
/// </summary>
internal sealed class FleetApply(AppDbContext db, LeaseFiles leaseFiles, TimeProvider clock)
{
    public sealed record Result(FleetPlan? Plan, IReadOnlyList<string> Errors);

    public async Task<Result> RunAsync(FleetDocument document, bool prune, bool dryRun, Actor actor, CancellationToken ct)
    {
        var errors = await ValidateAsync(document, prune, ct);
        if (errors.Count > 0) return new(null, errors);

        var now = clock.GetUtcNow();
        var changes = new List<FleetChange>();
        var warnings = new List<string>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (document.Templates is { } templates) await TemplatesAsync(TemplateKind.Template, templates, prune, actor, now, changes, ct);
        if (document.Snippets is { } snippets) await TemplatesAsync(TemplateKind.Snippet, snippets, prune, actor, now, changes, ct);
        if (document.OsProfiles is { } profiles) await ProfilesAsync(profiles, prune, now, changes, warnings, ct);
        if (document.DiscoverySources is { } sources) await SourcesAsync(sources, prune, now, changes, warnings, ct);
        if (document.Tags is { } tags) await TagsAsync(tags, prune, changes, warnings, ct);

        if (dryRun || changes.Count == 0) return new(new FleetPlan(false, changes, warnings), []);
        db.AuditEvents.Add(AuditEvent.Record(actor, "fleet.applied", "fleet", null,
            $"Applied fleet configuration: {string.Join(", ", changes.GroupBy(c => c.Action).Select(g => $"{g.Count()} {g.Key}"))}", now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new(new FleetPlan(true, changes, warnings), []);
    }

    private async Task<List<string>> ValidateAsync(FleetDocument document, bool prune, CancellationToken ct)
    {
        if (document is { OsProfiles: null, Templates: null, Snippets: null, DiscoverySources: null, Tags: null })
            return ["The document names no section (osProfiles, templates, snippets, discoverySources, tags); there is nothing to apply."];
        var errors = ControlCharacterProblems(document).ToList();
        if (errors.Count > 0) return errors;
        foreach (var (kind, folder, items) in new[] { ("template", "templates", document.Templates), ("snippet", "snippets", document.Snippets) })
        {
            foreach (var t in items ?? [])
            {
                if (!TemplateNamePattern.IsValid(t.Name ?? "")) errors.Add($"{folder}/{t.Name}: {kind} names are 1-64 letters, digits, '-' and '_'.");
                else if ((t.Text ?? "").Length > Template.MaxTextLength) errors.Add($"{folder}/{t.Name}: a {kind} is at most {Template.MaxTextLength / 1024} KiB.");
                else if (TemplateSyntax.Check(t.Text ?? "") is { } syntax)
                    errors.Add($"{folder}/{t.Name}{(syntax.Line is { } line ? $" line {line}" : "")}: {syntax.Message}");
            }
            Duplicates(items?.Select(t => t.Name), folder, errors);
        }

        // Every profile left after the apply must name a template that is left after it.
        var known = new HashSet<string>(TemplateSet.Builtin.TemplateNames, StringComparer.Ordinal);
        if (document.Templates is { } templates) known.UnionWith(templates.Select(t => t.Name));
        if (document.Templates is null || !prune)
            known.UnionWith(await db.Templates.Where(t => t.Kind == TemplateKind.Template).Select(t => t.Name).ToListAsync(ct));
        foreach (var p in document.OsProfiles ?? [])
        {
            var where = $"osProfiles \"{p.Name}\"";
            if (!Enum.TryParse<OsInstallerKind>(p.InstallerKind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                errors.Add($"{where}: installerKind \"{p.InstallerKind}\" is not one of {string.Join(", ", Enum.GetNames<OsInstallerKind>())}.");
            else if (Problem(() => OsProfile.Create(p.Name ?? "", kind, p.KernelUrl ?? "", p.InitrdUrls ?? [], p.KernelArgs ?? "", p.Template ?? "", Parameters(p), false, DateTimeOffset.UnixEpoch)) is { } problem)
                errors.Add($"{where}: {problem}");
            if (!OsProfileInput.TryParseParameters(ParameterLines(p), out _, out var parameterError)) errors.Add($"{where}: {parameterError}");
            if (p.Template is { Length: > 0 } template && !known.Contains(template)) errors.Add($"{where}: there is no template \"{template}\".");
        }
        Duplicates(document.OsProfiles?.Select(p => p.Name?.Trim()), "osProfiles", errors);
        var named = (document.OsProfiles ?? []).Select(p => p.Name?.Trim()).ToHashSet();
        // Profiles the document does not name stay (unless pruned, when they go or are kept as built in or used).
        foreach (var kept in await db.OsProfiles.AsNoTracking().Where(p => !named.Contains(p.Name)).ToListAsync(ct))
            if (!known.Contains(kept.TemplateName) && (document.OsProfiles is null || !prune || kept.BuiltIn))
                errors.Add($"osProfiles \"{kept.Name}\" (not in the files, kept) uses template \"{kept.TemplateName}\", which this apply would delete.");

        foreach (var s in document.DiscoverySources ?? [])
        {
            var where = $"discoverySources {s.Kind} \"{s.Value}\"";
            if (!Enum.TryParse<DiscoverySourceKind>(s.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
                errors.Add($"{where}: kind is not one of {string.Join(", ", Enum.GetNames<DiscoverySourceKind>())}.");
            else
                errors.AddRange(new SourceInput { Kind = kind, Value = s.Value ?? "", Port = s.Port, UseHttps = s.UseHttps }.Errors(leaseFiles).Values.Select(e => $"{where}: {e}"));
        }
        Duplicates(document.DiscoverySources?.Select(s => $"{s.Kind?.ToLowerInvariant()} {s.Value?.Trim()}"), "discoverySources", errors);

        foreach (var m in document.Tags ?? [])
            if (m.Tags is null || m.Tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Trim().Length > 64))
                errors.Add($"tags \"{m.Machine}\": each tag is 1-64 characters.");
        return errors;
    }

    private async Task TemplatesAsync(TemplateKind kind, List<FleetTemplate> wanted, bool prune, Actor actor, DateTimeOffset now, List<FleetChange> changes, CancellationToken ct)
    {
        var label = kind.ToString().ToLowerInvariant();
        var existing = await db.Templates.Include(t => t.Versions).Where(t => t.Kind == kind).ToDictionaryAsync(t => t.Name, StringComparer.Ordinal, ct);
        foreach (var t in wanted)
        {
            var text = t.Text.ReplaceLineEndings("\n");
            if (!existing.Remove(t.Name, out var template))
            {
                db.Templates.Add(Template.Create(kind, t.Name, text, actor, now));
                changes.Add(new("create", label, t.Name));
            }
            else if (template.Current.Text != text)
            {
                var version = template.Save(text, actor, now);
                changes.Add(new("update", label, t.Name, $"new version {version.Number}"));
            }
        }
        if (!prune) return;
        foreach (var template in existing.Values)
        {
            db.Templates.Remove(template);
            changes.Add(new("delete", label, template.Name, TemplateSet.Builtin.TemplateNames.Contains(template.Name) || TemplateSet.Builtin.SnippetNames.Contains(template.Name)
                ? "the built-in one is used again" : null));
        }
    }

    private async Task ProfilesAsync(List<FleetProfile> wanted, bool prune, DateTimeOffset now, List<FleetChange> changes, List<string> warnings, CancellationToken ct)
    {
        var existing = await db.OsProfiles.ToDictionaryAsync(p => p.Name, StringComparer.Ordinal, ct);
        foreach (var p in wanted)
        {
            var kind = Enum.Parse<OsInstallerKind>(p.InstallerKind, ignoreCase: true);
            var parameters = Parameters(p);
            var name = p.Name.Trim();
            if (!existing.Remove(name, out var profile))
            {
                profile = OsProfile.Create(name, kind, p.KernelUrl, p.InitrdUrls, p.KernelArgs ?? "", p.Template, parameters, builtIn: false, now);
                db.OsProfiles.Add(profile);
                changes.Add(new("create", "os-profile", name));
            }
            else
            {
                var before = Describe(profile);
                profile.Update(name, kind, p.KernelUrl, p.InitrdUrls, p.KernelArgs ?? "", p.Template, parameters, now);
                if (profile.RestartAfterInstall != p.RestartAfterInstall) profile.SetRestartAfterInstall(p.RestartAfterInstall, now);
                if (profile.TokenBoundToAddress != p.TokenBoundToAddress) profile.SetTokenBoundToAddress(p.TokenBoundToAddress, now);
                if (profile.FailOnPlatformMismatch != p.FailOnPlatformMismatch) profile.SetFailOnPlatformMismatch(p.FailOnPlatformMismatch, now);
                var after = Describe(profile);
                var changed = before.Zip(after).Where(x => x.First.Value != x.Second.Value).Select(x => x.First.Field).ToList();
                if (changed.Count > 0) changes.Add(new("update", "os-profile", name, string.Join(", ", changed)));
                // Update stamps UpdatedAt even when nothing changed: leave such a row unmodified.
                else db.Entry(profile).State = EntityState.Unchanged;
                continue;
            }
            profile.SetRestartAfterInstall(p.RestartAfterInstall, now);
            profile.SetTokenBoundToAddress(p.TokenBoundToAddress, now);
            profile.SetFailOnPlatformMismatch(p.FailOnPlatformMismatch, now);
        }
        if (!prune) return;
        foreach (var profile in existing.Values)
        {
            if (profile.BuiltIn) { warnings.Add($"OS profile \"{profile.Name}\" is built in; kept."); continue; }
            if (await db.Deployments.AnyAsync(d => d.ProfileId == profile.Id, ct)) { warnings.Add($"OS profile \"{profile.Name}\" has deployments; kept."); continue; }
            db.OsProfiles.Remove(profile);
            changes.Add(new("delete", "os-profile", profile.Name));
        }
    }

    private async Task SourcesAsync(List<FleetSource> wanted, bool prune, DateTimeOffset now, List<FleetChange> changes, List<string> warnings, CancellationToken ct)
    {
        var existing = await db.DiscoverySources.ToListAsync(ct);
        foreach (var s in wanted)
        {
            var kind = Enum.Parse<DiscoverySourceKind>(s.Kind, ignoreCase: true);
            var value = s.Value.Trim();
            var name = $"{kind} {value}";
            var source = existing.FirstOrDefault(e => e.Kind == kind && e.Value == value);
            if (source is null)
            {
                source = DiscoverySource.Create(kind, value, s.Port, s.UseHttps, now);
                source.Enable(s.Enabled);
                db.DiscoverySources.Add(source);
                changes.Add(new("create", "discovery-source", name));
                if (s.Username is not null) warnings.Add($"Discovery source {name}: created without a login (files never hold passwords); set it on the Discovery page.");
                continue;
            }
            existing.Remove(source);
            var changed = new List<string>();
            if (source.Port != s.Port || source.UseHttps != s.UseHttps) { source.Connect(s.Port, s.UseHttps); changed.Add("port/https"); }
            if (source.Enabled != s.Enabled) { source.Enable(s.Enabled); changed.Add(s.Enabled ? "enabled" : "disabled"); }
            if (changed.Count > 0) changes.Add(new("update", "discovery-source", name, string.Join(", ", changed)));
        }
        if (!prune) return;
        foreach (var source in existing)
        {
            db.DiscoverySources.Remove(source);
            changes.Add(new("delete", "discovery-source", $"{source.Kind} {source.Value}"));
        }
    }

    private async Task TagsAsync(List<FleetMachineTags> wanted, bool prune, List<FleetChange> changes, List<string> warnings, CancellationToken ct)
    {
        var machines = await db.Machines.ToListAsync(ct);
        var named = new HashSet<long>();
        foreach (var w in wanted)
        {
            var machine = (w.Uuid is { } uuid ? machines.FirstOrDefault(m => m.Uuid == uuid) : null)
                ?? (w.Serial is { Length: > 0 } serial ? machines.FirstOrDefault(m => m.Serial == serial) : null)
                ?? machines.FirstOrDefault(m => m.Name == w.Machine);
            if (machine is null) { warnings.Add($"Tags for machine \"{w.Machine}\": no such machine here; skipped."); continue; }
            named.Add(machine.Id);
            var before = string.Join(",", machine.Tags);
            machine.SetTags(w.Tags);
            var after = string.Join(",", machine.Tags);
            if (before != after) changes.Add(new("update", "tags", machine.Name, after.Length == 0 ? "none" : after));
        }
        if (!prune) return;
        foreach (var machine in machines.Where(m => m.Tags.Count > 0 && !named.Contains(m.Id)))
        {
            machine.SetTags([]);
            changes.Add(new("update", "tags", machine.Name, "none"));
        }
    }

    /// <summary>
    /// The API's edge refuses control characters in every JSON string, but templates are multi-line text, so this
    /// endpoint reads its own body and the check is made here: line breaks and tabs in template texts only.
    /// </summary>
    private static IEnumerable<string> ControlCharacterProblems(FleetDocument d)
    {
        IEnumerable<(string Field, string? Value, bool Multiline)> Strings()
        {
            foreach (var (folder, items) in new[] { ("templates", d.Templates), ("snippets", d.Snippets) })
                foreach (var t in items ?? [])
                {
                    yield return ($"{folder}/{t.Name} name", t.Name, false);
                    yield return ($"{folder}/{t.Name}", t.Text, true);
                }
            foreach (var p in d.OsProfiles ?? [])
            {
                var where = $"osProfiles \"{p.Name}\"";
                foreach (var (field, value) in new[] { ("name", p.Name), ("installerKind", p.InstallerKind), ("kernelUrl", p.KernelUrl), ("kernelArgs", p.KernelArgs), ("template", p.Template) })
                    yield return ($"{where} {field}", value, false);
                foreach (var url in p.InitrdUrls ?? []) yield return ($"{where} initrdUrls", url, false);
                foreach (var (key, value) in p.DefaultParameters ?? []) { yield return ($"{where} parameter name", key, false); yield return ($"{where} parameter {key}", value, false); }
            }
            foreach (var s in d.DiscoverySources ?? [])
                foreach (var (field, value) in new[] { ("kind", s.Kind), ("value", s.Value), ("username", s.Username) })
                    yield return ($"discoverySources {field}", value, false);
            foreach (var m in d.Tags ?? [])
            {
                yield return ("tags machine", m.Machine, false);
                yield return ($"tags \"{m.Machine}\" serial", m.Serial, false);
                foreach (var tag in m.Tags ?? []) yield return ($"tags \"{m.Machine}\"", tag, false);
            }
        }
        return Strings().Select(s => Core.Text.ControlCharacters.Problem(s.Field, s.Value, s.Multiline)).OfType<string>();
    }

    private static IReadOnlyList<(string Field, string Value)> Describe(OsProfile p) =>
    [
        ("name", p.Name), ("installerKind", p.InstallerKind.ToString()), ("kernelUrl", p.KernelUrl), ("initrdUrls", string.Join("\n", p.InitrdUrls)),
        ("kernelArgs", p.KernelArgs), ("template", p.TemplateName),
        ("defaultParameters", string.Join("\n", p.DefaultParameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))),
        ("restartAfterInstall", p.RestartAfterInstall.ToString()), ("tokenBoundToAddress", p.TokenBoundToAddress.ToString()),
        ("failOnPlatformMismatch", p.FailOnPlatformMismatch.ToString()),
    ];

    /// <summary>The profile's parameters as the editor's rule reads them (names of letters, digits and underscores).</summary>
    private static Dictionary<string, string> Parameters(FleetProfile p) =>
        OsProfileInput.TryParseParameters(ParameterLines(p), out var parameters, out _) ? parameters : [];

    private static string ParameterLines(FleetProfile p) =>
        string.Join("\n", (p.DefaultParameters ?? []).Select(kv => $"{kv.Key}={kv.Value}"));

    private static string? Problem(Action check)
    {
        try { check(); return null; }
        catch (ArgumentException e) { return e.Message.Split(" (Parameter")[0]; }
    }

    private static void Duplicates(IEnumerable<string?>? names, string section, List<string> errors)
    {
        foreach (var name in (names ?? []).GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key))
            errors.Add($"{section}: \"{name}\" appears more than once.");
    }
}
