using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Provisioning;

/// <summary>
/// The provision form's text fields (and the API's equivalents), checked before any machine is
/// touched: a typo in a parameter line is one message for the whole request, not one per machine.
/// </summary>
internal static partial class ProvisionInput
{
    public const int MaxParameterLength = 4096;

    /// <summary>One key per line; blank lines are skipped. Core checks that each looks like a public key.</summary>
    public static List<string> SshKeys(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>
    /// The rule Core applies to each key (it refuses the run otherwise), checked here so the form can
    /// say so next to the field instead of once per machine.
    /// </summary>
    public static string? CheckSshKeys(string? text)
    {
        var lines = (text ?? "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var key = lines[i].Trim();
            if (Portal.Core.Text.ControlCharacters.Problem($"SSH key on line {i + 1}", key) is { } problem) return problem;
            if (key.Length > 0 && !key.StartsWith("ssh-", StringComparison.Ordinal) && !key.StartsWith("ecdsa-", StringComparison.Ordinal))
                return $"Line {i + 1}: \"{Shorten(key)}\" does not look like an SSH public key (ssh-ed25519 / ssh-rsa / ecdsa-...).";
        }
        return null;
    }

    /// <summary><c>key=value</c> lines; blank lines and <c>#</c> comments are skipped, the value is everything after the first '='.</summary>
    public static Dictionary<string, string> Parameters(string? text, out string? error)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        var lines = (text ?? "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var eq = line.IndexOf('=');
            if (eq < 0) { error = $"Parameters, line {i + 1}: \"{Shorten(line)}\" is not key=value."; return parameters; }
            var key = line[..eq].Trim();
            if (parameters.ContainsKey(key)) { error = $"Parameters, line {i + 1}: \"{key}\" is given twice."; return parameters; }
            parameters[key] = line[(eq + 1)..].Trim();
        }
        error = Check(parameters);
        return parameters;
    }

    /// <summary>The rules the netboot templates enforce when they render, checked up front so a run does not fail at the script fetch.</summary>
    public static string? Check(IReadOnlyDictionary<string, string> parameters)
    {
        foreach (var (key, value) in parameters)
        {
            if (!ParameterName().IsMatch(key)) return $"Parameter name \"{Shorten(key)}\" must be letters, digits and underscores, starting with a letter.";
            if (value.Length > MaxParameterLength || value.Any(char.IsControl)) return $"Parameter \"{key}\" must be a single line of at most {MaxParameterLength} characters.";
        }
        return null;
    }

    public static string Format(IReadOnlyDictionary<string, string> parameters) =>
        string.Concat(parameters.Select(p => $"{p.Key}={p.Value}\n"));

    /// <summary>
    /// Several machines get their hostnames from one pattern: <c>{n}</c> is 1, 2, 3… in the order the
    /// machines are listed, <c>{name}</c> the machine's name made DNS-safe. Without either, several
    /// machines would all get the same name.
    /// </summary>
    public static string? CheckPattern(string? pattern, int machines) =>
        string.IsNullOrWhiteSpace(pattern) ? (machines > 1 ? "Give a hostname pattern, e.g. node{n}.lab." : "Give a hostname.")
        : machines > 1 && !pattern.Contains("{n}", StringComparison.Ordinal) && !pattern.Contains("{name}", StringComparison.Ordinal)
            ? $"With {machines} machines the hostname pattern needs {{n}} or {{name}}, or they would all be called \"{pattern.Trim()}\"."
            : null;

    public static string Hostname(string pattern, int n, string machineName) => pattern.Trim()
        .Replace("{n}", n.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{name}", DnsLabel(machineName), StringComparison.Ordinal);

    /// <summary>"Lab-Dell 01" → "lab-dell-01".</summary>
    public static string DnsLabel(string name)
    {
        var label = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant()) label.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        var text = HyphenRuns().Replace(label.ToString(), "-").Trim('-');
        return text.Length > 63 ? text[..63].TrimEnd('-') : text;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex ParameterName();

    [GeneratedRegex("-{2,}")]
    private static partial Regex HyphenRuns();
}
