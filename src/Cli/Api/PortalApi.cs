using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Portal.Cli.Api;

/// <summary>
/// The CLI's only way to the Portal: /api/v1 with the bearer token. Every refusal becomes a
/// <see cref="CliException"/> carrying the API's own problem+json <c>detail</c> and the exit code for its
/// status; a Portal that cannot be reached says so, with the URL tried.
/// </summary>
internal sealed class PortalApi : IDisposable
{
    /// <summary>Ordinary calls; streams (a deployment's events) have no limit.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient http;

    public PortalApi(string url, string? token, CliEnvironment env)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw CliException.Usage($"\"{url}\" is not a Portal URL; give one like http://portal.example:5080.");
        BaseUrl = baseUri;
        http = env.Handler is { } handler ? new HttpClient(handler(), disposeHandler: true) : new HttpClient();
        http.BaseAddress = baseUri;
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("portal-cli", typeof(PortalApi).Assembly.GetName().Version?.ToString(3) ?? "0"));
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri BaseUrl { get; }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Get, Relative(path)), ct);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, Relative(path)) { Content = JsonContent.Create(body ?? new { }, options: Json.Options) }, ct);

    public Task<JsonElement> PostRawAsync(string path, byte[] body, string contentType, CancellationToken ct)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, Relative(path)) { Content = content }, ct);
    }

    /// <summary>The answer's JSON (an empty object for 204); throws for anything but 2xx.</summary>
    public async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        using var response = await ConnectAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, ct);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        if (!response.IsSuccessStatusCode) throw Refusal(response, text);
        return text.Length == 0 ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A streamed GET (server-sent events): the response once its headers are in; refusals throw as above.</summary>
    public async Task<HttpResponseMessage> OpenStreamAsync(string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Relative(path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await ConnectAsync(request, HttpCompletionOption.ResponseHeadersRead, ct, ct);
        if (response.IsSuccessStatusCode) return response;
        using (response) throw Refusal(response, await response.Content.ReadAsStringAsync(ct));
    }

    private async Task<HttpResponseMessage> ConnectAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken token, CancellationToken caller)
    {
        try
        {
            return await http.SendAsync(request, completion, token);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Unreachable, $"Cannot reach the Portal at {BaseUrl}: {e.Message}");
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Unreachable, $"The Portal at {BaseUrl} did not answer within {CallTimeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>The problem's detail (and each conflict's reason) in the API's words, or what the status means when there is no body.</summary>
    private CliException Refusal(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        JsonElement? problem = null;
        try { if (body.Length > 0) problem = JsonDocument.Parse(body).RootElement.Clone(); }
        catch (JsonException) { /* not JSON: a proxy's page, say */ }

        var message = new StringBuilder(problem?.Str("detail") ?? problem?.Str("title") ?? status switch
        {
            401 => "The Portal refused the token (401).",
            403 => "Your roles do not allow this (403).",
            404 => $"Not found (404): {response.RequestMessage?.RequestUri}",
            _ => $"The Portal answered {status} {response.ReasonPhrase}.",
        });
        foreach (var conflict in problem?.Items("conflicts") ?? [])
            message.Append($"\n  {conflict.Str("name")} (machine {conflict.Str("machineId")}): {conflict.Str("reason")}");
        if (status == 401) message.Append($"\nLog in again: portal login --url {BaseUrl.ToString().TrimEnd('/')} (or set PORTAL_TOKEN).");
        return new CliException(ExitCodes.ForStatus(status), message.ToString(), problem);
    }

    private static string Relative(string path) => path.TrimStart('/');

    public void Dispose() => http.Dispose();
}
