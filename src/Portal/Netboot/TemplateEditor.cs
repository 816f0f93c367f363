using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;

namespace Portal.Netboot;

/// <summary>Saves a template or snippet from the editor: the first save creates it, every save is a new version.</summary>
internal sealed class TemplateEditor(AppDbContext db, TimeProvider clock)
{
    /// <returns>The number of the version saved.</returns>
    public async Task<int> SaveAsync(TemplateKind kind, string name, string text, Actor actor)
    {
        text = text.ReplaceLineEndings("\n");
        var now = clock.GetUtcNow();
        var template = await db.Templates.Include(t => t.Versions).FirstOrDefaultAsync(t => t.Kind == kind && t.Name == name);
        TemplateVersion saved;
        if (template is null)
        {
            template = Template.Create(kind, name, text, actor, now);
            db.Templates.Add(template);
            saved = template.Current;
        }
        else saved = template.Save(text, actor, now);
        db.AuditEvents.Add(AuditEvent.Record(actor, "template.saved", kind.ToString().ToLowerInvariant(), name, $"{kind} {name} saved as version {saved.Number}", now));
        await db.SaveChangesAsync();
        return saved.Number;
    }
}
