using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;

namespace Portal.Fleet;

/// <summary>Reads the fleet's configuration in a stable order, so exporting twice gives identical files.</summary>
internal static class FleetExport
{
    public static async Task<FleetDocument> ReadAsync(AppDbContext db, CancellationToken ct)
    {
        var profiles = (await db.OsProfiles.AsNoTracking().ToListAsync(ct))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new FleetProfile(p.Name, p.InstallerKind.ToString(), p.KernelUrl, [.. p.InitrdUrls], p.KernelArgs, p.TemplateName,
                new SortedDictionary<string, string>(p.DefaultParameters, StringComparer.Ordinal).ToDictionary(), p.RestartAfterInstall, p.TokenBoundToAddress, p.FailOnPlatformMismatch))
            .ToList();
        var templates = (await db.Templates.AsNoTracking().Include(t => t.Versions).ToListAsync(ct))
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var sources = (await db.DiscoverySources.AsNoTracking().ToListAsync(ct))
            .OrderBy(s => s.Kind).ThenBy(s => s.Value, StringComparer.Ordinal).ThenBy(s => s.Port)
            .Select(s => new FleetSource(s.Kind.ToString(), s.Value, s.Port, s.UseHttps, s.Enabled, s.Username))
            .ToList();
        var tags = (await db.Machines.AsNoTracking().Where(m => m.Tags.Count > 0).Select(m => new { m.Name, m.Uuid, m.Serial, m.Tags }).ToListAsync(ct))
            .OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Uuid)
            .Select(m => new FleetMachineTags(m.Name, m.Uuid, m.Serial, [.. m.Tags]))
            .ToList();
        return new FleetDocument(profiles,
            templates.Where(t => t.Kind == Core.Provisioning.TemplateKind.Template).Select(t => new FleetTemplate(t.Name, t.Current.Text)).ToList(),
            templates.Where(t => t.Kind == Core.Provisioning.TemplateKind.Snippet).Select(t => new FleetTemplate(t.Name, t.Current.Text)).ToList(),
            sources, tags);
    }
}
