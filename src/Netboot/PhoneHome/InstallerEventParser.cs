using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Portal.Core.Text;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.PhoneHome;

/// <summary>Why an event body was refused; the endpoint maps these to 400 / 413 / 415.</summary>
public enum InstallerEventError
{
    TooLarge,
    NotJson,
    UnsupportedContentType,
    NotAnObject,
    MissingField,
    UnknownField,
    DuplicateField,
    WrongType,
    UnknownPhase,
    PercentOutOfRange,
    TooLong,
    ControlCharacter,
}

/// <summary>Either a parsed <see cref="Event"/> or an error with a message safe to return to the installer.</summary>
public sealed record InstallerEventResult(InstallerEvent? Event, InstallerEventError? Error, string? Detail)
{
    public bool IsValid => Event is not null;

    public int StatusCode => Error switch
    {
        null => StatusCodes.Status200OK,
        InstallerEventError.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InstallerEventError.UnsupportedContentType => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };

    internal static InstallerEventResult Fail(InstallerEventError error, string detail) => new(null, error, detail);
}

/// <summary>
/// Reads phone-home POST bodies. Installers are scripts with hand-built JSON, so errors say
/// exactly which field is wrong; unknown top-level fields are refused (a typo would otherwise
/// drop data silently), unknown facts are kept in <see cref="InstallerEvent.ExtraFacts"/>.
/// </summary>
public static class InstallerEventParser
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxMessageLength = 4000;
    public const int MaxListItems = 256;
    public const int MaxExtraFacts = 64;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    /// <summary>Reads and parses a request body, enforcing the content type and <see cref="MaxBodyBytes"/> without buffering more.</summary>
    public static async Task<InstallerEventResult> ReadAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                 || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            return InstallerEventResult.Fail(InstallerEventError.UnsupportedContentType, "Content-Type must be application/json");
        if (request.ContentLength > MaxBodyBytes)
            return TooLarge();

        // Read at most one byte past the limit: enough to know it is too large, whatever Content-Length claimed.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var length = 0;
            while (length <= MaxBodyBytes)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), cancellationToken);
                if (read == 0) break;
                length += read;
            }
            return length > MaxBodyBytes ? TooLarge() : Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static InstallerEventResult Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBodyBytes) return TooLarge();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), DocumentOptions);
        }
        catch (JsonException e)
        {
            return InstallerEventResult.Fail(InstallerEventError.NotJson, $"body is not valid JSON ({FirstSentence(e.Message)})");
        }
        using (document)
        {
            try
            {
                return new InstallerEventResult(ReadEvent(document.RootElement), null, null);
            }
            catch (EventFormatException e)
            {
                return InstallerEventResult.Fail(e.Error, e.Message);
            }
        }
    }

    public static InstallerEventResult Parse(string body) => Parse(System.Text.Encoding.UTF8.GetBytes(body));

    private static InstallerEvent ReadEvent(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new EventFormatException(InstallerEventError.NotAnObject, $"body must be a JSON object, got {Kind(root)}");

        InstallerPhase? phase = null;
        string message = "";
        int? percent = null;
        HardwareFacts? facts = null;
        Dictionary<string, JsonElement>? extra = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw new EventFormatException(InstallerEventError.DuplicateField, $"field '{Clip(property.Name)}' appears twice");
            var value = property.Value;
            switch (property.Name)
            {
                case "phase":
                    var text = String(value, "phase");
                    phase = text switch
                    {
                        "pre" => InstallerPhase.Pre,
                        "progress" => InstallerPhase.Progress,
                        "post" => InstallerPhase.Post,
                        "done" => InstallerPhase.Done,
                        "failed" => InstallerPhase.Failed,
                        "log" => InstallerPhase.Log,
                        _ => throw new EventFormatException(InstallerEventError.UnknownPhase, $"phase '{Clip(text)}' is not one of pre, progress, post, done, failed, log"),
                    };
                    break;
                case "message":
                    message = String(value, "message", multiline: true);
                    if (message.Length > MaxMessageLength)
                        throw new EventFormatException(InstallerEventError.TooLong, $"message is longer than {MaxMessageLength} characters");
                    break;
                case "percent":
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var p))
                        throw new EventFormatException(InstallerEventError.WrongType, $"percent must be a whole number, got {Kind(value)}");
                    if (p is < 0 or > 100)
                        throw new EventFormatException(InstallerEventError.PercentOutOfRange, $"percent {p} is outside 0-100");
                    percent = p;
                    break;
                case "facts":
                    if (value.ValueKind == JsonValueKind.Null) break;
                    (facts, extra) = ReadFacts(value);
                    break;
                default:
                    throw new EventFormatException(InstallerEventError.UnknownField, $"unknown field '{Clip(property.Name)}' (expected phase, message, percent, facts)");
            }
        }
        if (phase is null)
            throw new EventFormatException(InstallerEventError.MissingField, "field 'phase' is required");
        return new InstallerEvent(phase.Value, message, percent, facts, extra);
    }

    private static (HardwareFacts, Dictionary<string, JsonElement>?) ReadFacts(JsonElement facts)
    {
        RequireObject(facts, "facts");
        var result = new HardwareFacts();
        Dictionary<string, JsonElement>? extra = null;
        foreach (var property in facts.EnumerateObject())
        {
            var name = "facts." + property.Name;
            var value = property.Value;
            result = property.Name switch
            {
                "cpu_model" => result with { CpuModel = NullableString(value, name) },
                "cpu_sockets" => result with { CpuSockets = Count(value, name) },
                "cpu_cores" => result with { CpuCores = Count(value, name) },
                "cpu_threads" => result with { CpuThreads = Count(value, name) },
                "memory_bytes" => result with { MemoryBytes = Bytes(value, name) },
                "disks" => result with { Disks = List(value, name, (e, n) => new DiskFact(RequiredString(e, n + ".name"), Bytes(Field(e, "size_bytes"), n + ".size_bytes"), NullableString(Field(e, "model"), n + ".model"), NullableString(Field(e, "serial"), n + ".serial")), "name", "size_bytes", "model", "serial") },
                "nics" => result with { Nics = List(value, name, (e, n) => new NicFact(RequiredString(e, n + ".name"), Mac(e, n + ".mac"), Count(Field(e, "speed_mbps"), n + ".speed_mbps")), "name", "mac", "speed_mbps") },
                "gpus" => result with { Gpus = List(value, name, (e, n) => new GpuFact(RequiredString(e, n + ".model", "model"), NullableString(Field(e, "vendor"), n + ".vendor")), "model", "vendor") },
                _ => result,
            };
            if (!IsKnownFact(property.Name))
            {
                extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                if (extra.Count >= MaxExtraFacts)
                    throw new EventFormatException(InstallerEventError.TooLong, $"facts has more than {MaxExtraFacts} unknown fields");
                if (ControlCharacters.IndexIn(property.Name) >= 0)
                    throw new EventFormatException(InstallerEventError.ControlCharacter, "a field name in facts contains a control character");
                RefuseControlCharacters(value, name);
                extra[property.Name] = value.Clone();
            }
        }
        return (result, extra);
    }

    private static bool IsKnownFact(string name) =>
        name is "cpu_model" or "cpu_sockets" or "cpu_cores" or "cpu_threads" or "memory_bytes" or "disks" or "nics" or "gpus";

    private static IReadOnlyList<T> List<T>(JsonElement value, string name, Func<JsonElement, string, T> read, params string[] fields)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw new EventFormatException(InstallerEventError.WrongType, $"{name} must be an array, got {Kind(value)}");
        if (value.GetArrayLength() > MaxListItems)
            throw new EventFormatException(InstallerEventError.TooLong, $"{name} has more than {MaxListItems} items");
        var items = new List<T>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemName = $"{name}[{i++}]";
            RequireObject(item, itemName);
            foreach (var field in item.EnumerateObject())
            {
                if (!fields.Contains(field.Name, StringComparer.Ordinal))
                    throw new EventFormatException(InstallerEventError.UnknownField, $"unknown field '{itemName}.{Clip(field.Name)}' (expected {string.Join(", ", fields)})");
            }
            items.Add(read(item, itemName));
        }
        return items;
    }

    private static JsonElement Field(JsonElement item, string field) =>
        item.TryGetProperty(field, out var value) ? value : default;

    private static string RequiredString(JsonElement item, string name, string field = "name")
    {
        if (!item.TryGetProperty(field, out var value))
            throw new EventFormatException(InstallerEventError.MissingField, $"field '{name}' is required");
        return NullableString(value, name) ?? throw new EventFormatException(InstallerEventError.WrongType, $"{name} must be a string, got null");
    }

    private static string Mac(JsonElement item, string name)
    {
        var raw = RequiredString(item, name, "mac");
        return Portal.Core.Bmcs.MacAddress.TryParse(raw, out var mac, out _)
            ? mac.ToString()
            : throw new EventFormatException(InstallerEventError.WrongType, $"{name} '{Clip(raw)}' is not a MAC address");
    }

    /// <summary>Strings are stored as text and jsonb, which refuse NUL: control characters are refused here, naming the field (a message may hold lines and tabs).</summary>
    private static string String(JsonElement value, string name, bool multiline = false)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw new EventFormatException(InstallerEventError.WrongType, $"{name} must be a string, got {Kind(value)}");
        var text = value.GetString()!;
        return ControlCharacters.Problem(name, text, multiline) is { } problem
            ? throw new EventFormatException(InstallerEventError.ControlCharacter, problem)
            : text;
    }

    private static void RefuseControlCharacters(JsonElement value, string name)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                String(value, name);
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray()) RefuseControlCharacters(item, name + "[]");
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (ControlCharacters.IndexIn(property.Name) >= 0)
                        throw new EventFormatException(InstallerEventError.ControlCharacter, $"a field name in {name} contains a control character");
                    RefuseControlCharacters(property.Value, name + "." + property.Name);
                }
                break;
        }
    }

    private static string? NullableString(JsonElement value, string name)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        var text = String(value, name);
        return text.Length <= 256 ? text : throw new EventFormatException(InstallerEventError.TooLong, $"{name} is longer than 256 characters");
    }

    private static int? Count(JsonElement value, string name)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n < 0)
            throw new EventFormatException(InstallerEventError.WrongType, $"{name} must be a whole number >= 0, got {Kind(value)}");
        return n;
    }

    private static long? Bytes(JsonElement value, string name)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < 0)
            throw new EventFormatException(InstallerEventError.WrongType, $"{name} must be a whole number of bytes >= 0, got {Kind(value)}");
        return n;
    }

    private static void RequireObject(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new EventFormatException(InstallerEventError.WrongType, $"{name} must be an object, got {Kind(value)}");
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {Clip(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static InstallerEventResult TooLarge() =>
        InstallerEventResult.Fail(InstallerEventError.TooLarge, $"body is larger than {MaxBodyBytes} bytes");

    private static string Clip(string value)
    {
        var cleaned = new string(value.Take(40).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return value.Length > 40 ? cleaned + "..." : cleaned;
    }

    // System.Text.Json messages end with a path/position sentence that is noise for installers.
    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }

    private sealed class EventFormatException(InstallerEventError error, string message) : Exception(message)
    {
        public InstallerEventError Error { get; } = error;
    }
}
