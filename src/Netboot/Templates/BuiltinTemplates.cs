using System.Reflection;

namespace Portal.Netboot.Templates;

/// <summary>
/// The starter templates and snippets shipped in the assembly (Templates/Builtin/*.hbs and
/// Templates/Builtin/Snippets/*.hbs); a file's name without extension is its template name.
/// </summary>
public static class BuiltinTemplates
{
    private const string Prefix = "Portal.Netboot.Builtin.";

    public const string RhelKickstart = "rhel-kickstart";
    public const string UbuntuAutoinstall = "ubuntu-autoinstall";
    public const string LabInstaller = "lab-installer";

    public static IReadOnlyDictionary<string, string> Templates { get; } = Load(snippets: false);

    public static IReadOnlyDictionary<string, string> Snippets { get; } = Load(snippets: true);

    private static Dictionary<string, string> Load(bool snippets)
    {
        var assembly = typeof(BuiltinTemplates).Assembly;
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".hbs", StringComparison.Ordinal)))
        {
            var relative = resource[Prefix.Length..^".hbs".Length].Replace('\\', '/');
            var isSnippet = relative.StartsWith("Snippets/", StringComparison.Ordinal);
            if (isSnippet != snippets) continue;
            result[relative[(relative.LastIndexOf('/') + 1)..]] = Read(assembly, resource);
        }
        if (result.Count == 0)
            throw new InvalidOperationException("No built-in templates are embedded in Portal.Netboot; check the EmbeddedResource item in src/Netboot/Directory.Build.targets.");
        return result;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        // Normalise line endings so a Windows checkout renders the same bytes.
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    }
}
