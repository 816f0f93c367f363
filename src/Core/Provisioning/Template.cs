using Portal.Core.Auditing;

namespace Portal.Core.Provisioning;

/// <summary>A main template (a profile's kickstart / user-data) or a snippet that templates include as a partial.</summary>
public enum TemplateKind { Template, Snippet }

/// <summary>
/// A user-edited template or snippet. It overrides the built-in one of the same name (or adds a
/// new one). Edits are never overwritten: every save is a new <see cref="TemplateVersion"/>, the
/// newest is current, and going back is saving an old text again.
/// </summary>
public sealed class Template
{
    public const int MaxNameLength = 64;
    public const int MaxTextLength = 256 * 1024;

    public long Id { get; private set; }
    public TemplateKind Kind { get; private set; }
    public string Name { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public List<TemplateVersion> Versions { get; private set; } = [];

    private Template() { }

    public static Template Create(TemplateKind kind, string name, string text, Actor author, DateTimeOffset now)
    {
        if (name.Length is 0 or > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Template and snippet names are 1-{MaxNameLength} letters, digits, '-' and '_'.", nameof(name));
        var template = new Template { Kind = kind, Name = name, CreatedAt = now };
        template.Save(text, author, now);
        return template;
    }

    /// <summary>The newest version; <see cref="Versions"/> must be loaded.</summary>
    public TemplateVersion Current => Versions.MaxBy(v => v.Number)
        ?? throw new InvalidOperationException($"Template {Id} has no versions loaded.");

    /// <summary>Saves the text as the next version (with <see cref="Versions"/> loaded); saving the current text again is a no-op.</summary>
    public TemplateVersion Save(string text, Actor author, DateTimeOffset now)
    {
        text = text.ReplaceLineEndings("\n");
        if (text.Length > MaxTextLength)
            throw new ArgumentException($"A template is at most {MaxTextLength / 1024} KiB.", nameof(text));
        if (Versions.Count > 0 && Current.Text == text) return Current;
        var version = new TemplateVersion(Versions.Count == 0 ? 1 : Versions.Max(v => v.Number) + 1, text, author, now);
        Versions.Add(version);
        return version;
    }
}

/// <summary>One saved text of a <see cref="Template"/>; immutable.</summary>
public sealed class TemplateVersion
{
    public long Id { get; private set; }
    public long TemplateId { get; private set; }
    public int Number { get; private set; }
    public string Text { get; private set; } = "";
    public string? AuthorId { get; private set; }
    public string AuthorName { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }

    private TemplateVersion() { }

    internal TemplateVersion(int number, string text, Actor author, DateTimeOffset now)
    {
        Number = number; Text = text; AuthorId = author.UserId; AuthorName = author.Name; CreatedAt = now;
    }
}
