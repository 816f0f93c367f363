using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Portal.Cli.Fleet;

/// <summary>
/// The fleet configuration on disk. A directory holds one YAML file per OS profile (os-profiles/), each
/// template and snippet as its own Handlebars file (templates/NAME.hbs, snippets/NAME.hbs — diffable, no
/// quoting), discovery-sources.yaml and tags.yaml. A folder or file that is absent is a section the apply
/// leaves alone. A single YAML file may instead hold the whole document (osProfiles:, templates: …).
/// </summary>
internal static class FleetFiles
{
    private const string Profiles = "os-profiles", Templates = "templates", Snippets = "snippets", Sources = "discovery-sources.yaml", Tags = "tags.yaml";

    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .DisableAliases()
        .Build();

    private static readonly IDeserializer Reader = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>Writes the document into <paramref name="directory"/>, removing files of earlier exports the document no longer has.</summary>
    public static IReadOnlyList<string> Write(string directory, FleetDocument document)
    {
        var written = new List<string>();
        void Put(string relative, string text)
        {
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            written.Add(relative);
        }
        var slugs = new HashSet<string>();
        foreach (var p in document.OsProfiles ?? [])
        {
            var slug = Slug(p.Name);
            for (var n = 2; !slugs.Add(slug); n++) slug = $"{Slug(p.Name)}-{n}"; // "A b" and "a-b" both exist
            Put(Path.Combine(Profiles, slug + ".yaml"), Writer.Serialize(p));
        }
        foreach (var t in document.Templates ?? []) Put(Path.Combine(Templates, t.Name + ".hbs"), t.Text);
        foreach (var s in document.Snippets ?? []) Put(Path.Combine(Snippets, s.Name + ".hbs"), s.Text);
        Put(Sources, Writer.Serialize(document.DiscoverySources ?? []));
        Put(Tags, Writer.Serialize(document.Tags ?? []));

        foreach (var (folder, pattern) in new[] { (Profiles, "*.yaml"), (Templates, "*.hbs"), (Snippets, "*.hbs") })
        {
            var path = Path.Combine(directory, folder);
            if (!Directory.Exists(path)) Directory.CreateDirectory(path); // an empty section is still the whole section
            foreach (var stale in Directory.GetFiles(path, pattern).Where(f => !written.Contains(Path.GetRelativePath(directory, f))))
                File.Delete(stale);
        }
        return written;
    }

    /// <summary>Reads a directory laid out as <see cref="Write"/> makes it, or one YAML file holding the whole document.</summary>
    public static FleetDocument Read(string path)
    {
        if (File.Exists(path)) return Parse<FleetDocument>(path) ?? new FleetDocument();
        if (!Directory.Exists(path)) throw CliException.Usage($"There is no file or directory {path}.");

        var document = new FleetDocument();
        var profiles = Path.Combine(path, Profiles);
        if (Directory.Exists(profiles))
            document.OsProfiles = Directory.GetFiles(profiles).Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml")).Order(StringComparer.Ordinal)
                .Select(f => Parse<FleetProfile>(f) ?? throw CliException.Usage($"{f} is empty.")).ToList();
        document.Templates = ReadTexts(Path.Combine(path, Templates));
        document.Snippets = ReadTexts(Path.Combine(path, Snippets));
        if (File.Exists(Path.Combine(path, Sources))) document.DiscoverySources = Parse<List<FleetSource>>(Path.Combine(path, Sources)) ?? [];
        if (File.Exists(Path.Combine(path, Tags))) document.Tags = Parse<List<FleetMachineTags>>(Path.Combine(path, Tags)) ?? [];
        return document;
    }

    private static List<FleetTemplate>? ReadTexts(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.hbs").Order(StringComparer.Ordinal)
                .Select(f => new FleetTemplate { Name = Path.GetFileNameWithoutExtension(f), Text = File.ReadAllText(f) }).ToList()
            : null;

    private static T? Parse<T>(string file)
    {
        try { return Reader.Deserialize<T>(File.ReadAllText(file)); }
        catch (YamlException e) { throw CliException.Usage($"{file} line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}"); }
    }

    /// <summary>A file name for a profile name: lower-case letters, digits and dashes.</summary>
    private static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        return slug.ToString().TrimEnd('-') is { Length: > 0 } s ? s : "profile";
    }
}
