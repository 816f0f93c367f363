using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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

    /// <summary>Where the machine reaches the portal: configured, or the address it just used.</summary>
    public static PortalUrls? Urls(HttpContext http)
    {
        var configured = http.RequestServices.GetRequiredService<IOptions<NetbootOptions>>().Value.PublicBaseUrl;
        try
        {
            return new PortalUrls(configured ?? $"{http.Request.Scheme}://{http.Request.Host.Value}");
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException)
        {
            return null;
        }
    }

    public static string Describe(Ipxe.BootQuery q) =>
        $"mac={q.Mac ?? "-"} uuid={q.Uuid?.ToString("D") ?? "-"} serial={q.Serial ?? "-"} ipxe-build={q.BuildArch ?? "-"} platform={q.Platform ?? "-"}";
}
