using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Portal.Cli.Api;

/// <summary>One server-sent event: its name and its data parsed as JSON.</summary>
internal sealed record ServerSentEvent(string Name, JsonElement Data);

internal static class ServerSentEvents
{
    /// <summary>Reads a text/event-stream until it closes: "event:" and "data:" lines, a blank line ends an event, ":" lines are comments (heartbeats).</summary>
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var name = "message";
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return new ServerSentEvent(name, JsonDocument.Parse(data.ToString()).RootElement.Clone());
                name = "message";
                data.Clear();
            }
            else if (line.StartsWith(':')) { }
            else if (line.StartsWith("event:", StringComparison.Ordinal)) name = line[6..].Trim();
            else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(data.Length > 0 ? "\n" : "").Append(line[5..].TrimStart());
        }
    }
}
