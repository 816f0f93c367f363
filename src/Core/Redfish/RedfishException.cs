using System.Net;

namespace Portal.Core.Redfish;

public enum RedfishErrorKind
{
    /// <summary>No connection: refused, reset, no route.</summary>
    Unreachable,
    Timeout,
    /// <summary>401/403 or a login the BMC refused.</summary>
    AuthFailed,
    /// <summary>The pinned certificate no longer matches what the BMC presents.</summary>
    TlsCertificateChanged,
    /// <summary>Verify mode and the certificate does not validate.</summary>
    TlsUntrusted,
    /// <summary>Not JSON, broken JSON, HTML error page, or JSON of the wrong shape.</summary>
    MalformedResponse,
    /// <summary>Any other unexpected HTTP status (see <see cref="RedfishException.StatusCode"/>).</summary>
    HttpError,
    /// <summary>The BMC does not offer the action or value, or refused it (400).</summary>
    ActionRejected,
}

/// <summary>
/// Everything that goes wrong talking to a BMC ends up as this, with a kind the BMC status can
/// be derived from and a message naming the BMC and URL (never credentials or tokens).
/// </summary>
public sealed class RedfishException(
    RedfishErrorKind kind,
    string bmc,
    string? url,
    string message,
    HttpStatusCode? statusCode = null,
    Exception? inner = null)
    : Exception($"BMC {bmc}: {message}{(url is null ? "" : $" ({url})")}", inner)
{
    public RedfishErrorKind Kind { get; } = kind;
    public string Bmc { get; } = bmc;
    public string? Url { get; } = url;
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>The failure may go away by itself (connection trouble, timeouts, 500/502/503/504).</summary>
    public bool IsTransient { get; init; }

    /// <summary>
    /// The BMC certainly did not act on the request (refused connection, 503), so even a
    /// non-idempotent POST such as a Reset can be sent again.
    /// </summary>
    public bool RequestNotProcessed { get; init; }

    /// <summary>The Redfish MessageId from the error body (e.g. Base.1.x.SessionLimitExceeded), if any.</summary>
    public string? MessageId { get; init; }

    /// <summary>For <see cref="RedfishErrorKind.TlsCertificateChanged"/>: the thumbprint the BMC now presents.</summary>
    public string? PresentedSha256 { get; init; }
}
