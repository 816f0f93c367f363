using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Serving;

/// <summary>Small helpers the netboot handlers share.</summary>
internal static class NetbootHttp
{
    private const string PlainText = "text/plain; charset=utf-8";

    /// <summary>Sent as is: the stored string is what the machine gets, byte for byte (UTF-8).</summary>
    public static IResult Text(string text) => Results.Text(text, PlainText);

    /// <summary>Ready-made UTF-8 bytes as a plain-text 200, straight to the response.</summary>
    public static Task WriteAsync(HttpContext http, byte[] body)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = PlainText;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length, http.RequestAborted);
    }

    /// <summary>A short reason for a 4xx/5xx; firmware and installers print it, people read it in logs.</summary>
    public static IResult Error(int status, string reason) => Results.Text(reason + "\n", PlainText, statusCode: status);

    /// <summary>Not found, with nothing in the body that would tell a guesser why.</summary>
    public static IResult NotFound() => Results.StatusCode(StatusCodes.Status404NotFound);

    /// <summary>Where the machine reaches the portal: one of the configured URLs (see <see cref="NetbootBaseUrls"/>).</summary>
    public static PortalUrls? Urls(HttpContext http) => http.RequestServices.GetRequiredService<NetbootBaseUrls>().For(http.Request);

    /// <summary>The answer when no URL is configured: the firmware prints it, the operator reads it in the log.</summary>
    public static IResult NotConfigured() =>
        Error(StatusCodes.Status503ServiceUnavailable, "Portal: Netboot:PublicBaseUrl is not configured, so no machine can be netbooted");

    /// <summary>
    /// The machine's address as this request shows it (after the forwarded-headers middleware, when
    /// a trusted proxy is configured); IPv4 written plainly even on a dual-stack socket.
    /// </summary>
    public static string ClientAddress(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";

    public static string Describe(Ipxe.BootQuery q) =>
        $"mac={q.Mac ?? "-"} uuid={q.Uuid?.ToString("D") ?? "-"} serial={q.Serial ?? "-"} ipxe-build={q.BuildArch ?? "-"} platform={q.Platform ?? "-"}";
}
