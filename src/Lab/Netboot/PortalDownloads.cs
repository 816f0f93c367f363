using Microsoft.Extensions.Logging;

namespace Portal.Lab.Netboot;

/// <summary>
/// Every HTTP request a simulated machine makes goes through here, and only URLs on the Portal
/// (same scheme, host and port as <see cref="Portal"/>) are ever sent. Anything else — a
/// distribution mirror in a built-in profile — is logged as skipped and treated as loaded, so no
/// traffic leaves the machine the lab runs on.
/// </summary>
public sealed class PortalDownloads(HttpClient http, Uri portal, ILogger logger, bool scriptFetchesFail = false)
{
    public Uri Portal { get; } = portal;

    /// <summary>The same, except that every script but the bootstrap fails to arrive (an injected fault).</summary>
    public PortalDownloads WithFailingScriptFetches() => new(http, Portal, logger, scriptFetchesFail: true);

    public bool IsPortal(Uri url) =>
        url.Scheme == Portal.Scheme && url.Port == Portal.Port && string.Equals(url.Host, Portal.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>A script or config: its text, or null when it could not be fetched (the reason is logged). Never called for a foreign URL.</summary>
    public async Task<string?> TextAsync(Uri url, string what, string machine, CancellationToken ct)
    {
        if (!IsPortal(url))
        {
            logger.LogWarning("{Machine}: skipped {What} {Url} (not the Portal's; the lab never contacts it)", machine, what, url);
            return null;
        }
        if (scriptFetchesFail && url.AbsolutePath != "/boot.ipxe")
        {
            logger.LogInformation("{Machine}: {What} {Url} failed: simulated network failure (injected)", machine, what, url.AbsolutePath);
            return null;
        }
        try
        {
            using var response = await http.GetAsync(url, ct);
            if (response.IsSuccessStatusCode) return await response.Content.ReadAsStringAsync(ct);
            logger.LogInformation("{Machine}: {What} {Url} answered {Status}", machine, what, url.AbsolutePath, (int)response.StatusCode);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested)) // refused, reset or timed out
        {
            logger.LogInformation("{Machine}: {What} {Url} failed: {Error}", machine, what, url.AbsolutePath, e.Message);
            return null;
        }
    }

    /// <summary>
    /// A kernel or initrd: downloaded and discarded when the Portal serves it; a foreign URL is
    /// skipped and counts as loaded. False when the Portal could not deliver it.
    /// </summary>
    public async Task<bool> ImageAsync(Uri url, string what, string machine, CancellationToken ct)
    {
        if (!IsPortal(url))
        {
            logger.LogInformation("{Machine}: skipped {What} {Url} (not the Portal's; the lab never contacts it) and went on as if it had loaded", machine, what, url);
            return true;
        }
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogInformation("{Machine}: {What} {Url} answered {Status}", machine, what, url.AbsolutePath, (int)response.StatusCode);
                return false;
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await body.CopyToAsync(Stream.Null, ct);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested)) // refused, reset or timed out
        {
            logger.LogInformation("{Machine}: {What} {Url} failed: {Error}", machine, what, url.AbsolutePath, e.Message);
            return false;
        }
    }

    /// <summary>A phone-home event: true when the Portal took it.</summary>
    public async Task<bool> PostJsonAsync(Uri url, string json, string machine, CancellationToken ct)
    {
        if (!IsPortal(url))
        {
            logger.LogWarning("{Machine}: events URL {Url} is not on the Portal; event not sent", machine, url);
            return false;
        }
        try
        {
            using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(url, content, ct);
            if (response.IsSuccessStatusCode) return true;
            logger.LogInformation("{Machine}: event to {Url} answered {Status}: {Body}", machine, url.AbsolutePath, (int)response.StatusCode,
                await response.Content.ReadAsStringAsync(ct));
            return false;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested)) // refused, reset or timed out
        {
            logger.LogInformation("{Machine}: event to {Url} failed: {Error}", machine, url.AbsolutePath, e.Message);
            return false;
        }
    }
}
