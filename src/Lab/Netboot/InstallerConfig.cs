using System.Text.RegularExpressions;

namespace Portal.Lab.Netboot;

/// <summary>Which installer a kernel command line starts, by the config argument it carries.</summary>
public enum InstallerKind { Kickstart, Autoinstall, LabInstaller }

/// <summary>
/// What a simulated installer reads from its kernel command line, and the checks a real installer
/// would make of the config it fetched: Anaconda refuses a file without closed kickstart sections,
/// Subiquity a user-data without <c>autoinstall:</c>, the lab installer's /init anything that is
/// not shell assignments naming its events URL.
/// </summary>
public static partial class InstallerConfig
{
    /// <summary>The installer kind and config URL on a kernel command line, or null when it names none.</summary>
    public static (InstallerKind Kind, Uri Config)? FromCommandLine(string commandLine, Uri baseUrl)
    {
        foreach (var word in Words(commandLine))
        {
            if (word.StartsWith("inst.ks=", StringComparison.Ordinal) && Url(word["inst.ks=".Length..], baseUrl) is { } ks)
                return (InstallerKind.Kickstart, ks);
            if (word.StartsWith("portal.ks=", StringComparison.Ordinal) && Url(word["portal.ks=".Length..], baseUrl) is { } lab)
                return (InstallerKind.LabInstaller, lab);
            if (word.StartsWith("ds=nocloud", StringComparison.Ordinal))
            {
                // cloud-init's NoCloud: ds=nocloud-net;s=SEED/ — it fetches SEED + user-data and meta-data.
                var seed = word.Split(';').FirstOrDefault(p => p.StartsWith("s=", StringComparison.Ordinal));
                if (seed is not null && Url(seed[2..], baseUrl) is { } url) return (InstallerKind.Autoinstall, url);
            }
        }
        return null;
    }

    /// <summary>The <c>portal.events=</c> URL on the kernel command line, if any.</summary>
    public static Uri? EventsFromCommandLine(string commandLine, Uri baseUrl) =>
        Words(commandLine).Where(w => w.StartsWith("portal.events=", StringComparison.Ordinal))
            .Select(w => Url(w["portal.events=".Length..], baseUrl)).FirstOrDefault(u => u is not null);

    /// <summary>Null when <paramref name="text"/> is a config the <paramref name="kind"/> installer accepts; else why it refuses it.</summary>
    public static string? Problem(InstallerKind kind, string text) => kind switch
    {
        InstallerKind.Kickstart => KickstartProblem(text),
        InstallerKind.Autoinstall => AutoinstallProblem(text),
        _ => LabConfigProblem(text),
    };

    /// <summary>The events URL the config's phone-home code posts to (<c>PORTAL_EVENTS_URL=</c>), if it has one.</summary>
    public static Uri? EventsFromConfig(string text, Uri baseUrl) =>
        EventsLine().Match(text) is { Success: true } m ? Url(m.Groups[1].Value, baseUrl) : null;

    private static string? KickstartProblem(string text)
    {
        if (text.TrimStart().StartsWith("#cloud-config", StringComparison.Ordinal)) return "this is cloud-config user-data, not a kickstart";
        string? open = null;
        var sections = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith('%')) continue;
            var keyword = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            if (open is not null && keyword != "%end") continue; // a script body may hold lines starting with %
            if (keyword == "%end")
            {
                if (open is null) return "%end without a section to close";
                open = null;
            }
            else if (keyword is "%packages" or "%pre" or "%post" or "%onerror" or "%pre-install" or "%traceback" or "%addon" or "%anaconda")
            {
                open = keyword;
                sections.Add(keyword);
            }
            else if (keyword is not "%include" and not "%ksappend") return $"unknown section {keyword}";
        }
        if (open is not null) return $"section {open} is not closed by %end";
        if (!sections.Contains("%packages")) return "no %packages section";
        return null;
    }

    private static string? AutoinstallProblem(string text)
    {
        if (!text.StartsWith("#cloud-config", StringComparison.Ordinal)) return "user-data does not start with #cloud-config";
        if (!AutoinstallKey().IsMatch(text)) return "user-data has no top-level autoinstall: key";
        if (!AutoinstallVersion().IsMatch(text)) return "autoinstall has no version: 1";
        return null;
    }

    private static string? LabConfigProblem(string text)
    {
        var names = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            if (text[i] == '#') { i = LineEnd(text, i); continue; }
            var eq = text.IndexOf('=', i);
            var newline = LineEnd(text, i);
            if (eq < 0 || eq > newline || !ShellName().IsMatch(text[i..eq]))
                return $"line '{Clip(text[i..newline])}' is not a NAME=value assignment";
            names.Add(text[i..eq]);
            i = eq + 1;
            // A value: single-quoted parts (which may span lines, with '\'' for a quote) and plain characters, up to whitespace.
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                if (text[i] == '\'')
                {
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0) return $"{names[^1]}: unterminated quote";
                    i = close + 1;
                }
                else if (text[i] == '\\' && i + 1 < text.Length) i += 2;
                else i++;
            }
        }
        return names.Contains("PORTAL_EVENTS_URL") ? null : "no PORTAL_EVENTS_URL";
    }

    private static int LineEnd(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        return end < 0 ? text.Length : end;
    }

    private static IEnumerable<string> Words(string commandLine) => commandLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static Uri? Url(string value, Uri baseUrl) => Uri.TryCreate(baseUrl, value.Trim('\'', '"'), out var url) ? url : null;

    private static string Clip(string value) => value.Length > 60 ? value[..60] + "..." : value;

    [GeneratedRegex(@"^\s*PORTAL_EVENTS_URL='?([^'\s]+)'?", RegexOptions.Multiline)] private static partial Regex EventsLine();
    [GeneratedRegex(@"^autoinstall:\s*$", RegexOptions.Multiline)] private static partial Regex AutoinstallKey();
    [GeneratedRegex(@"^\s+version:\s*1\s*$", RegexOptions.Multiline)] private static partial Regex AutoinstallVersion();
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")] private static partial Regex ShellName();
}
