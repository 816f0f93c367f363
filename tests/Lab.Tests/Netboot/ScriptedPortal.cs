using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Lab.Netboot;

namespace Portal.Lab.Tests.Netboot;

/// <summary>
/// An in-process stand-in for the Portal's HTTP side, answering paths with canned bodies and
/// recording every request that reached the network layer, so a test can show which URLs the
/// simulated firmware did (and did not) ask for. Nothing here opens a socket.
/// </summary>
internal sealed class ScriptedPortal : HttpMessageHandler
{
    public const string Base = "http://127.0.0.1:5080";

    private readonly Dictionary<string, string> bodies = new(StringComparer.Ordinal);

    public List<Uri> Requests { get; } = [];

    /// <summary>Answers GET <paramref name="path"/> (query ignored) with <paramref name="body"/>.</summary>
    public ScriptedPortal Serve(string path, string body)
    {
        bodies[path] = body;
        return this;
    }

    /// <summary>A Portal-rendered sample from Netboot.Tests/Golden, moved to this test Portal's address.</summary>
    public static string Golden(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name)).Replace("http://10.0.2.2:5080", Base, StringComparison.Ordinal);

    public PortalDownloads Downloads() => new(new HttpClient(this), new Uri(Base), NullLogger.Instance);

    public IpxeInterpreter Interpreter(string mac = "52:54:00:12:34:56", string platform = "pcbios")
    {
        var ipxe = new IpxeInterpreter(Downloads(), "test-machine", NullLogger.Instance);
        ipxe.Variables["net0/mac"] = mac;
        ipxe.Variables["uuid"] = "11111111-2222-3333-4444-555555555555";
        ipxe.Variables["serial"] = "SN 42/a";
        ipxe.Variables["buildarch"] = "x86_64";
        ipxe.Variables["platform"] = platform;
        return ipxe;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests) Requests.Add(request.RequestUri!);
        var found = bodies.TryGetValue(request.RequestUri!.AbsolutePath, out var body);
        return Task.FromResult(new HttpResponseMessage(found ? HttpStatusCode.OK : HttpStatusCode.NotFound)
        {
            Content = new StringContent(found ? body! : ""),
        });
    }
}
