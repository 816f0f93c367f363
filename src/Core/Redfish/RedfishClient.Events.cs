using System.Net;
using System.Net.Http.Headers;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Redfish;

public sealed partial class RedfishClient
{
    private HttpClient? _streamHttp;

    /// <summary>
    /// The server-sent event stream the BMC's EventService offers (DSP0266), or null when it has no
    /// EventService, has it switched off, or offers only push subscriptions.
    /// </summary>
    public async Task<string?> GetEventStreamUriAsync(CancellationToken ct = default)
    {
        var root = await ProbeAsync(ct).ConfigureAwait(false);
        if (root.EventService?.ODataId is null)
            return null;
        var service = await GetAsync<EventService>(root.EventService, ct).ConfigureAwait(false);
        return service is { ServiceEnabled: not false, ServerSentEventUri: { Length: > 0 } uri } ? uri : null;
    }

    /// <summary>
    /// Opens the event stream with this client's session (logging in again once if the BMC says
    /// 401). The stream has its own connection, so it never takes one of the few connections the
    /// ordinary requests share; it holds no request slot either, as it is idle nearly always.
    /// </summary>
    public async Task<RedfishEventStream> OpenEventStreamAsync(string streamUri, CancellationToken ct = default)
    {
        var request = new Request(HttpMethod.Get, Resolve(streamUri));
        var token = _sessionToken;
        var response = await SendStreamRequestAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && token is not null &&
            await RenewSessionAsync(token, ct).ConfigureAwait(false))
        {
            response.Dispose();
            response = await SendStreamRequestAsync(request, ct).ConfigureAwait(false);
        }
        if (response.IsSuccessStatusCode)
            return new RedfishEventStream(response, Endpoint.Key, _options.MaxResponseBytes);

        var status = response.StatusCode;
        response.Dispose();
        throw status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? new RedfishException(RedfishErrorKind.AuthFailed, Endpoint.Key, Describe(request), $"The BMC refused the event stream ({(int)status}).", status)
            : new RedfishException(RedfishErrorKind.HttpError, Endpoint.Key, Describe(request), $"HTTP {(int)status} {status} opening the event stream.", status)
            {
                IsTransient = (int)status >= 500,
            };
    }

    private async Task<HttpResponseMessage> SendStreamRequestAsync(Request request, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var http = LazyInitializer.EnsureInitialized(ref _streamHttp, () => NewHttpClient(maxConnections: 1));
        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        message.Headers.Accept.Clear();
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (_sessionToken is { } token)
            message.Headers.Add("X-Auth-Token", token);
        else if (_basic is not null)
            message.Headers.Authorization = _basic;

        // The timeout covers the answer's headers only; the body is the stream and may stay quiet for hours.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.RequestTimeout);
        Interlocked.Increment(ref _requestCount);
        try
        {
            return await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new RedfishException(RedfishErrorKind.Timeout, Endpoint.Key, Describe(request),
                $"No answer within {_options.RequestTimeout.TotalSeconds:0.###} s.", inner: e) { IsTransient = true };
        }
        catch (HttpRequestException e)
        {
            throw Classify(e, request);
        }
    }
}
