using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Redfish;

/// <summary>
/// An open text/event-stream from a BMC (the HTML "server-sent events" format: "data:" lines,
/// a blank line ends an event, ":" lines are comments/keep-alives). Each event is a Redfish
/// Event resource; events that are not valid JSON are skipped rather than ending the stream.
/// </summary>
public sealed class RedfishEventStream(HttpResponseMessage response, string bmc, int maxEventBytes) : IDisposable
{
    /// <summary>Events until the BMC ends the stream (the enumeration then just ends) or the connection breaks (IOException/HttpRequestException).</summary>
    public async IAsyncEnumerable<RedfishEvent> ReadAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(body, Encoding.UTF8);
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 && Parse(data.ToString()) is { } parsed)
                    yield return parsed;
                data.Clear();
                continue;
            }
            if (line[0] == ':')
                continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            if (field != "data")
                continue; // id, event, retry: nothing we need
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            if (data.Length > 0) data.Append('\n');
            data.Append(value);
            if (data.Length > maxEventBytes)
                throw new RedfishException(RedfishErrorKind.MalformedResponse, bmc, null, $"An event on the stream is longer than {maxEventBytes:N0} bytes.");
        }
    }

    private static RedfishEvent? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<RedfishEvent>(json, RedfishJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => response.Dispose();
}
