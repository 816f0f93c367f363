using System.Text.RegularExpressions;
using HandlebarsDotNet;

namespace Portal.Netboot.Templates;

/// <summary>A template that does not compile, with the line it went wrong on (1-based) when that can be told.</summary>
public sealed record TemplateSyntaxError(int? Line, string Message);

/// <summary>
/// Checks a template's or snippet's Handlebars syntax without rendering it (for a fleet apply, which must
/// refuse a broken template before anything is saved, and say where). Handlebars.Net reports the line of
/// an unclosed expression itself; for block errors (an {{#if}} never closed, a {{/each}} closing nothing)
/// the line is found by matching the block tags here.
/// </summary>
public static partial class TemplateSyntax
{
    public static TemplateSyntaxError? Check(string text)
    {
        try
        {
            Handlebars.Create(new HandlebarsConfiguration { NoEscape = true }).Compile(text.ReplaceLineEndings("\n"));
            return null;
        }
        catch (HandlebarsException e)
        {
            var message = e.Message.Split("\n\nOccured at:")[0].Trim();
            return new TemplateSyntaxError(ReportedLine(e.Message) ?? UnbalancedBlockLine(text), message);
        }
    }

    private static int? ReportedLine(string message) =>
        OccurredAt().Match(message) is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;

    /// <summary>The line of the first closing tag that closes nothing, or of the innermost block left open.</summary>
    private static int? UnbalancedBlockLine(string text)
    {
        var open = new Stack<(string Name, int Line)>();
        foreach (Match tag in BlockTag().Matches(text))
        {
            var line = 1 + text.AsSpan(0, tag.Index).Count('\n');
            var name = tag.Groups[2].Value;
            if (tag.Groups[1].Value is "#" or "^") open.Push((name, line));
            else if (open.Count == 0 || open.Pop().Name != name) return line;
        }
        return open.Count > 0 ? open.Peek().Line : null;
    }

    [GeneratedRegex(@"Occured at:\s*(\d+):\d+")]
    private static partial Regex OccurredAt();

    [GeneratedRegex(@"\{\{~?\s*([#^/])\s*>?\s*([^\s}~]+)")]
    private static partial Regex BlockTag();
}
