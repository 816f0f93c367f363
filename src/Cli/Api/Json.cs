using System.Text.Encodings.Web;
using System.Text.Json;

namespace Portal.Cli.Api;

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One JSON value per line (--json streams).</summary>
    public static readonly JsonSerializerOptions Lines = new(Options) { WriteIndented = false };

    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;

    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    public static int? Int(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    public static bool Bool(this JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string? name = null)
    {
        var array = name is null ? e : e.TryGetProperty(name, out var v) ? v : default;
        return array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];
    }

    public static string Text(JsonElement e) => JsonSerializer.Serialize(e, Options);
}
