using System.ComponentModel.DataAnnotations;
using Portal.Core.Provisioning;

namespace Portal.Netboot;

/// <summary>The OS profile editor's fields, as typed (initrds and parameters one a line).</summary>
internal sealed class OsProfileInput : IValidatableObject
{
    [Required, StringLength(OsProfile.MaxNameLength)] public string Name { get; set; } = "";
    public OsInstallerKind Kind { get; set; } = OsInstallerKind.Kickstart;
    [Required, StringLength(1000)] public string KernelUrl { get; set; } = "";
    [Required, StringLength(4000)] public string InitrdUrls { get; set; } = "";
    [StringLength(2000)] public string KernelArgs { get; set; } = "";
    [Required, StringLength(64), RegularExpression("^[A-Za-z0-9_-]+$", ErrorMessage = "Letters, digits, '-' and '_' only.")]
    public string TemplateName { get; set; } = "";
    [StringLength(20000)] public string Parameters { get; set; } = "";
    public bool RestartAfterInstall { get; set; }
    public bool TokenBoundToAddress { get; set; } = true;
    public bool FailOnPlatformMismatch { get; set; }
    public bool SetsDiskFirstBootOrder { get; set; } = true;

    public IReadOnlyList<string> Initrds => InitrdUrls.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public static OsProfileInput From(OsProfile p) => new()
    {
        Name = p.Name, Kind = p.InstallerKind, KernelUrl = p.KernelUrl, InitrdUrls = string.Join("\n", p.InitrdUrls),
        KernelArgs = p.KernelArgs, TemplateName = p.TemplateName, RestartAfterInstall = p.RestartAfterInstall,
        TokenBoundToAddress = p.TokenBoundToAddress, FailOnPlatformMismatch = p.FailOnPlatformMismatch,
        SetsDiskFirstBootOrder = p.SetsDiskFirstBootOrder,
        Parameters = string.Join("\n", p.DefaultParameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
    };

    /// <summary>The parameters' lines, checked with the form so the error shows under that field.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TryParseParameters(Parameters, out _, out var error)) yield return new ValidationResult(error, [nameof(Parameters)]);
    }

    public static bool TryParseParameters(string text, out Dictionary<string, string> parameters, out string error)
    {
        parameters = new(StringComparer.Ordinal);
        error = "";
        foreach (var line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            var name = eq > 0 ? line[..eq].Trim() : "";
            if (name.Length == 0 || !char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                error = $"\"{line}\" is not name=value with a name of letters, digits and underscores.";
                return false;
            }
            parameters[name] = line[(eq + 1)..].Trim();
        }
        return true;
    }
}
