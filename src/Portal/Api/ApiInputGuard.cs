using System.Text.Json;
using Portal.Core.Text;

namespace Portal.Api;

/// <summary>
/// The API's edge: what no endpoint should have to think about is refused here, with a 400 that names
/// the parameter or JSON field. Control characters (NUL above all: PostgreSQL refuses it, and the
/// request would fail far from its cause) in the path, in query parameters, and in any string or
/// property name of a JSON body; a JSON body that does not parse; a JSON body over
/// <see cref="MaxJsonBytes"/> (413). An endpoint that reads an upload itself, with its own limit and
/// per-row report (credential lists), carries <see cref="ReadsItsOwnBody"/> and its body is left alone.
/// </summary>
internal sealed class ApiInputGuard(RequestDelegate next)
{
    public const int MaxJsonBytes = 1024 * 1024;

    /// <summary>Endpoint metadata: the endpoint validates its raw body itself.</summary>
    public sealed class ReadsItsOwnBody;

    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 32 };

    public async Task InvokeAsync(HttpContext http)
    {
        if (!ApiErrors.IsApi(http.Request.Path) || await RefusalAsync(http) is not { } refusal)
        {
            await next(http);
            return;
        }
        await ApiProblem.WriteAsync(http, refusal.Status, refusal.Detail);
    }

    private readonly record struct Refusal(int Status, string Detail);

    private static async Task<Refusal?> RefusalAsync(HttpContext http)
    {
        var request = http.Request;
        if (ControlCharacters.IndexIn(request.Path.Value) >= 0)
            return new(StatusCodes.Status400BadRequest, "The URL path contains a control character; remove it.");
        foreach (var (name, values) in request.Query)
        {
            if (ControlCharacters.IndexIn(name) >= 0)
                return new(StatusCodes.Status400BadRequest, "A query parameter's name contains a control character; remove it.");
            foreach (var value in values)
                if (ControlCharacters.Problem($"Query parameter '{name}'", value) is { } problem)
                    return new(StatusCodes.Status400BadRequest, problem);
        }
        if (!request.HasJsonContentType() || request.ContentLength == 0 || http.GetEndpoint()?.Metadata.GetMetadata<ReadsItsOwnBody>() is not null)
            return null;
        return await JsonBodyRefusalAsync(request);
    }

    private static async Task<Refusal?> JsonBodyRefusalAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxJsonBytes) return TooLarge();
        // Buffered so the endpoint reads it again; at most one byte past the limit is read.
        request.EnableBuffering(MaxJsonBytes + 1, MaxJsonBytes + 1);
        var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (body.Length + n > MaxJsonBytes) return TooLarge();
            body.Write(chunk, 0, n);
        }
        request.Body.Position = 0;
        if (body.Length == 0) return null;

        try
        {
            using var document = JsonDocument.Parse(body.GetBuffer().AsMemory(0, (int)body.Length), Parsing);
            return FirstControlCharacter(document.RootElement, "$") is { } problem ? new(StatusCodes.Status400BadRequest, problem) : null;
        }
        catch (JsonException e)
        {
            return new(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>"$.sshKeys[1] contains a control character (U+0000 at position 12); remove it." for the first offender.</summary>
    private static string? FirstControlCharacter(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return ControlCharacters.Problem(path, element.GetString());
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    if (FirstControlCharacter(item, $"{path}[{i++}]") is { } problem) return problem;
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (ControlCharacters.IndexIn(property.Name) >= 0) return $"A field name in {path} contains a control character; remove it.";
                    if (FirstControlCharacter(property.Value, $"{path}.{property.Name}") is { } problem) return problem;
                }
                return null;
            default:
                return null;
        }
    }

    private static Refusal TooLarge() => new(StatusCodes.Status413PayloadTooLarge, $"The JSON body is larger than {MaxJsonBytes / 1024} KiB.");
}
