using System.Globalization;
using System.Net;
using System.Text;
using Portal.Core.Bmcs;

namespace Portal.Core.Discovery.Leases;

/// <summary>
/// Parses ISC dhcpd's <c>dhcpd.leases</c>: <c>lease 10.0.0.5 { starts ...; ends ...;
/// binding state active; hardware ethernet aa:..; client-hostname "x"; }</c>. dhcpd appends a
/// new block on every change, so a MAC usually appears many times; <see cref="LeaseFile.LatestByMac"/>
/// picks the one that counts. Other top-level declarations (host, failover, server-duid) are skipped.
/// </summary>
public static class IscDhcpLeaseParser
{
    private readonly record struct Token(string Text, int Line, bool IsString);

    public static LeaseFile Parse(string text, DateTimeOffset? now = null)
    {
        var clock = now ?? DateTimeOffset.UtcNow;
        var tokens = Tokenize(text);
        var leases = new List<DhcpLease>();
        var issues = new List<LeaseParseIssue>();
        var i = 0;
        while (i < tokens.Count)
        {
            var statementStart = tokens[i];
            if (statementStart.Text == "lease" && !statementStart.IsString)
            {
                i = ParseLease(tokens, i, clock, leases, issues);
                continue;
            }
            i = SkipStatement(tokens, i);
        }
        return new LeaseFile(leases, issues);
    }

    private static int ParseLease(List<Token> tokens, int i, DateTimeOffset clock, List<DhcpLease> leases, List<LeaseParseIssue> issues)
    {
        var leaseLine = tokens[i].Line;
        if (i + 2 >= tokens.Count || tokens[i + 2].Text != "{")
        {
            issues.Add(new(leaseLine, "Expected 'lease <address> {'."));
            return SkipStatement(tokens, i);
        }
        var addressText = tokens[i + 1].Text;
        i += 3;

        var statements = new List<List<Token>>();
        var current = new List<Token>();
        var closed = false;
        while (i < tokens.Count)
        {
            var t = tokens[i++];
            if (!t.IsString && t.Text == "}") { closed = true; break; }
            if (!t.IsString && t.Text == ";") { statements.Add(current); current = []; continue; }
            if (!t.IsString && t.Text == "{") { i = SkipBlock(tokens, i); continue; }
            current.Add(t);
        }
        if (!closed)
        {
            issues.Add(new(leaseLine, $"The lease for {LeaseText.Quote(addressText)} is never closed with '}}'."));
            return i;
        }
        if (!IPAddress.TryParse(addressText, out var address))
        {
            issues.Add(new(leaseLine, $"The lease address, {LeaseText.Quote(addressText)}, is not an IP address."));
            return i;
        }

        DateTimeOffset? starts = null, ends = null;
        string? state = null, hostname = null, macText = null;
        var macLine = leaseLine;
        foreach (var s in statements.Where(s => s.Count > 0))
        {
            var words = s.Select(t => t.Text).ToArray();
            switch (words[0])
            {
                case "starts":
                    starts = ParseDate(words, s[0].Line, issues);
                    break;
                case "ends":
                    ends = words.Length > 1 && words[1] == "never" ? null : ParseDate(words, s[0].Line, issues);
                    break;
                case "binding" when words.Length >= 3 && words[1] == "state":
                    state = words[2];
                    break;
                case "hardware" when words.Length >= 3:
                    macText = words[2];
                    macLine = s[0].Line;
                    break;
                case "client-hostname" when words.Length >= 2:
                    hostname = words[1];
                    break;
            }
        }

        var active = state is null or "active" && (ends is null || ends > clock);
        if (macText is null)
        {
            // Free/backup leases legitimately carry no hardware address; an active one must.
            if (state is null or "active")
                issues.Add(new(leaseLine, $"The lease for {address} has no 'hardware ethernet'."));
            return i;
        }
        if (!MacAddress.TryParse(macText, out var mac, out var error))
        {
            issues.Add(new(macLine, LeaseText.IsShortField(macText) ? error : $"The hardware address, {LeaseText.Quote(macText)}, is not a MAC address."));
            return i;
        }
        leases.Add(new DhcpLease(mac, address, hostname, starts, ends, active, leaseLine));
        return i;
    }

    /// <summary>Accepts <c>starts 2 2026/11/21 10:00:00</c> (UTC) and <c>starts epoch 1763719200</c>.</summary>
    private static DateTimeOffset? ParseDate(string[] words, int line, List<LeaseParseIssue> issues)
    {
        if (words.Length >= 3 && words[1] == "epoch" && long.TryParse(words[2], out var epoch))
            return DateTimeOffset.FromUnixTimeSeconds(epoch);
        if (words.Length >= 4 &&
            DateTime.TryParseExact($"{words[2]} {words[3]}", "yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
            return new DateTimeOffset(date, TimeSpan.Zero);
        issues.Add(new(line, $"Cannot read the date in '{words[0]}' (expected 'W YYYY/MM/DD HH:MM:SS' or 'epoch N')."));
        return null;
    }

    private static int SkipStatement(List<Token> tokens, int i)
    {
        while (i < tokens.Count)
        {
            var t = tokens[i++];
            if (t.IsString) continue;
            if (t.Text == ";") return i;
            if (t.Text == "{") return SkipBlock(tokens, i);
        }
        return i;
    }

    private static int SkipBlock(List<Token> tokens, int i)
    {
        var depth = 1;
        while (i < tokens.Count && depth > 0)
        {
            var t = tokens[i++];
            if (t.IsString) continue;
            if (t.Text == "{") depth++;
            else if (t.Text == "}") depth--;
        }
        return i;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (c is '{' or '}' or ';')
            {
                tokens.Add(new(c.ToString(), line, false));
                i++;
                continue;
            }
            if (c == '"')
            {
                var start = line;
                var value = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    if (text[i] == '\n') line++;
                    value.Append(text[i++]);
                }
                i++;
                tokens.Add(new(value.ToString(), start, true));
                continue;
            }
            var begin = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';' or '"'))
                i++;
            tokens.Add(new(text[begin..i], line, false));
        }
        return tokens;
    }
}
