using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Redfish;

public sealed partial class RedfishClient
{
    private sealed record Request(HttpMethod Method, Uri Url, byte[]? Body = null, string? IfMatch = null, bool Idempotent = true)
    {
        /// <summary>One attempt only (sweeping a range: a silent address is the normal case).</summary>
        public bool NoRetry { get; init; }
    }

    private sealed record Response(Request Request, HttpStatusCode Status, byte[] Body, string? MediaType, string? ETag, Uri? Location, string? AuthToken)
    {
        public bool IsSuccess => (int)Status is >= 200 and < 300;
    }

    /// <summary>Sends with retries; renews an expired session once.</summary>
    private async Task<Response> SendAsync(Request request, bool authenticate, CancellationToken ct)
    {
        var token = _sessionToken;
        var response = await SendWithRetriesAsync(request, authenticate, ct).ConfigureAwait(false);
        if (authenticate && response.Status == HttpStatusCode.Unauthorized && token is not null &&
            await RenewSessionAsync(token, ct).ConfigureAwait(false))
        {
            response = await SendWithRetriesAsync(request, authenticate, ct).ConfigureAwait(false);
        }
        return response;
    }

    private async Task<Response> SendWithRetriesAsync(Request request, bool authenticate, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var pipeline = request.NoRetry ? ResiliencePipeline.Empty : request.Idempotent ? _idempotent : _nonIdempotent;
        return await pipeline.ExecuteAsync(
            static async (state, token) => await state.client.SendOnceAsync(state.request, state.authenticate, token).ConfigureAwait(false),
            (client: this, request, authenticate),
            ct).ConfigureAwait(false);
    }

    private async ValueTask<Response> SendOnceAsync(Request request, bool authenticate, CancellationToken ct)
    {
        using var slot = await _limiter.AcquireAsync(Endpoint.Key, ct).ConfigureAwait(false);
        // The timeout starts once we hold a slot: time spent queued behind our own limits is
        // not the BMC being slow.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        using var message = new HttpRequestMessage(request.Method, request.Url);
        if (authenticate)
        {
            if (_sessionToken is { } token)
                message.Headers.Add("X-Auth-Token", token);
            else if (_basic is not null)
                message.Headers.Authorization = _basic;
        }
        if (request.IfMatch is not null)
            message.Headers.TryAddWithoutValidation("If-Match", request.IfMatch);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        var started = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _requestCount);
        try
        {
            using var http = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(http, request, timeout.Token).ConfigureAwait(false);
            var response = new Response(
                request,
                http.StatusCode,
                body,
                http.Content.Headers.ContentType?.MediaType,
                http.Headers.ETag?.ToString() ?? (http.Headers.TryGetValues("ETag", out var etags) ? etags.FirstOrDefault() : null),
                http.Headers.Location,
                http.Headers.TryGetValues("X-Auth-Token", out var tokens) ? tokens.FirstOrDefault() : null);
            if (_logger.IsEnabled(LogLevel.Debug))
                _logger.LogDebug("BMC {Bmc}: {Method} {Path} -> {Status} in {Elapsed} ms", Endpoint, request.Method, request.Url.AbsolutePath,
                    (int)response.Status, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            if ((response.Status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout) && !IsSessionLimit(response))
            {
                // 503 means the BMC did not take the request on, so even a POST may be repeated.
                throw HttpError(response, transient: true, notProcessed: response.Status == HttpStatusCode.ServiceUnavailable);
            }
            return response;
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new RedfishException(RedfishErrorKind.Timeout, Endpoint.Key, Describe(request),
                $"No answer within {_options.RequestTimeout.TotalSeconds:0.###} s.", inner: e)
            { IsTransient = true };
        }
        catch (HttpRequestException e)
        {
            throw Classify(e, request);
        }
    }

    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage http, Request request, CancellationToken ct)
    {
        var limit = _options.MaxResponseBytes;
        var length = http.Content.Headers.ContentLength;
        if (length > limit)
            throw Malformed(request, $"The response is {length:N0} bytes; more than {limit:N0} is not a Redfish resource.");
        await using var stream = await http.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        if (length is { } exact)
        {
            // The usual case: the BMC says how long the body is, so read it into one array.
            var body = new byte[exact];
            var filled = await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            return filled == body.Length ? body : body[..filled];
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
                throw Malformed(request, $"The response is larger than {limit:N0} bytes; that is not a Redfish resource.");
        }
        return buffer.ToArray();
    }

    private RedfishException Classify(HttpRequestException e, Request request)
    {
        var url = Describe(request);
        switch (_tlsRejection)
        {
            case TlsRejection.Changed:
                return new RedfishException(RedfishErrorKind.TlsCertificateChanged, Endpoint.Key, url,
                    $"The TLS certificate changed: pinned SHA-256 {_pinnedSha256}, presented {_presentedSha256}. " +
                    "Confirm the BMC was re-certified and re-pin it.", inner: e)
                { PresentedSha256 = _presentedSha256 };
            case TlsRejection.Untrusted:
                return new RedfishException(RedfishErrorKind.TlsUntrusted, Endpoint.Key, url,
                    "The TLS certificate is not trusted (policy Verify); use pin-on-first-use for self-signed BMC certificates.", inner: e)
                { PresentedSha256 = _presentedSha256 };
        }

        var socket = FindInner<SocketException>(e);
        var refused = socket?.SocketErrorCode == SocketError.ConnectionRefused;
        var reason = socket is not null ? $"{socket.SocketErrorCode}" : e.HttpRequestError.ToString();
        var transient = e.HttpRequestError is not HttpRequestError.NameResolutionError;
        return new RedfishException(RedfishErrorKind.Unreachable, Endpoint.Key, url, $"Cannot talk to the BMC ({reason}).", inner: e)
        {
            IsTransient = transient,
            RequestNotProcessed = refused,
        };
    }

    private static T? FindInner<T>(Exception e) where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T match) return match;
        }
        return null;
    }

    /// <summary>Maps an unsuccessful status to the right error kind.</summary>
    private void EnsureSuccess(Response response)
    {
        if (response.IsSuccess)
            return;
        if (response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RedfishException(RedfishErrorKind.AuthFailed, Endpoint.Key, Describe(response.Request),
                $"The BMC refused the credentials ({(int)response.Status}{ErrorDetail(response)}).", response.Status);
        }
        throw HttpError(response);
    }

    private RedfishException HttpError(Response response, bool transient = false, bool notProcessed = false) =>
        new(RedfishErrorKind.HttpError, Endpoint.Key, Describe(response.Request),
            $"HTTP {(int)response.Status} {response.Status}{ErrorDetail(response)}.", response.Status)
        {
            IsTransient = transient,
            RequestNotProcessed = notProcessed,
            MessageId = ReadError(response)?.ExtendedInfo?.FirstOrDefault(m => m.MessageId is not null)?.MessageId,
        };

    /// <summary>
    /// A full session table (503 SessionLimitExceeded) does not clear in a second; retrying would
    /// only add load, so it is not transient and login falls back to Basic instead.
    /// </summary>
    private static bool IsSessionLimit(Response response) =>
        response.Status == HttpStatusCode.ServiceUnavailable &&
        ReadError(response)?.ExtendedInfo?.Any(m => m.MessageId?.EndsWith("SessionLimitExceeded", StringComparison.Ordinal) == true) == true;

    private static RedfishError? ReadError(Response response)
    {
        if (response.Body.Length == 0 || !LooksLikeJson(response))
            return null;
        try
        {
            return JsonSerializer.Deserialize<RedfishErrorBody>(response.Body, RedfishJson.Options)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first useful message of a Redfish error body, if the body is one.</summary>
    private static string ErrorDetail(Response response)
    {
        var error = ReadError(response);
        var text = error?.ExtendedInfo?.FirstOrDefault(m => m.Message is not null)?.Message ?? error?.Message;
        return text is null ? "" : $": {Truncate(text, 300)}";
    }

    private T Deserialize<T>(Response response) where T : RedfishResource
    {
        if (!LooksLikeJson(response))
        {
            var what = response.MediaType is { } type ? $"'{type}'" : "a body with no content type";
            var html = response.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true || FirstByte(response) == '<';
            throw Malformed(response.Request, html
                ? $"The BMC answered with an HTML page ({what}) instead of Redfish JSON."
                : $"The BMC answered with {what} instead of Redfish JSON.");
        }
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(response.Body, RedfishJson.Options);
        }
        catch (JsonException e)
        {
            throw Malformed(response.Request,
                $"The JSON is malformed or not a {typeof(T).Name} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}{(e.Path is { } p ? $", at {p}" : "")}).", e);
        }
        if (value is null)
            throw Malformed(response.Request, $"Expected a {typeof(T).Name} object, got null.");
        if (value.ODataId is null)
            throw Malformed(response.Request, $"The {typeof(T).Name} has no @odata.id, so it is not a Redfish resource.");
        return value;
    }

    private T? TryDeserialize<T>(Response response) where T : RedfishResource
    {
        try
        {
            return Deserialize<T>(response);
        }
        catch (RedfishException)
        {
            return null;
        }
    }

    private static bool LooksLikeJson(Response response)
    {
        if (response.MediaType is { } type)
            return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        return FirstByte(response) is '{' or '[';
    }

    private static char FirstByte(Response response)
    {
        foreach (var b in response.Body)
        {
            if (!char.IsWhiteSpace((char)b)) return (char)b;
        }
        return '\0';
    }

    /// <summary>
    /// Turns an @odata.id into a URL on this BMC. Links to another host are refused: following
    /// them would send our credentials somewhere we were never asked to talk to.
    /// </summary>
    private Uri Resolve(string odataId)
    {
        var withoutFragment = odataId.Split('#', 2)[0];
        if (Uri.TryCreate(withoutFragment, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            if (!string.Equals(absolute.Host, Endpoint.Host, StringComparison.OrdinalIgnoreCase) || absolute.Port != Endpoint.Port)
                throw Malformed(absolute, "A link points to another host; refusing to follow it.");
            return absolute;
        }
        if (!withoutFragment.StartsWith('/'))
            throw Malformed((Uri?)null, $"'{Truncate(odataId, 200)}' is not a valid @odata.id.");
        return new Uri(Endpoint.BaseUri, withoutFragment);
    }

    private RedfishException Malformed(Uri? url, string message, Exception? inner = null) =>
        new(RedfishErrorKind.MalformedResponse, Endpoint.Key, url?.PathAndQuery, message, inner: inner);

    private RedfishException Malformed(Request request, string message, Exception? inner = null) =>
        new(RedfishErrorKind.MalformedResponse, Endpoint.Key, Describe(request), message, inner: inner);

    private static string Describe(Request request) => $"{request.Method} {request.Url.PathAndQuery}";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
