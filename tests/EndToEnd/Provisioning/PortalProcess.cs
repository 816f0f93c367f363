using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Portal.TestSupport;

namespace Portal.EndToEnd.Provisioning;

/// <summary>
/// The Portal as its own operating-system process (the built Portal.dll), so a test can kill it
/// with SIGKILL — no shutdown hooks, no flushing — and start it again on the same database. With
/// <paramref name="inside"/> it runs in that network namespace at <paramref name="baseUrl"/>.
/// </summary>
public sealed class PortalProcess(string connectionString, string dataDirectory, IReadOnlyDictionary<string, string> settings,
    RealNetwork.NetworkNamespace? inside = null, string? baseUrl = null) : IAsyncDisposable
{
    private readonly int port = FreePort();
    private readonly StringBuilder output = new();
    private Process? process;

    public string BaseUrl => baseUrl ?? $"http://127.0.0.1:{port}";

    /// <summary>Everything the process printed, across restarts: the first thing to read when a crash test fails.</summary>
    public string Output { get { lock (output) return output.ToString(); } }

    public async Task StartAsync()
    {
        var portalDll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(inside is null ? "dotnet" : "ip", inside is null ? ["exec", portalDll] : ["netns", "exec", inside.Name, "dotnet", "exec", portalDll])
        {
            // The content root (appsettings.json, wwwroot) is the project folder, as with `make run`.
            WorkingDirectory = Path.Combine(RepoRoot.Find(), "src", "Portal"),
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = BaseUrl;
        start.Environment["Netboot__PublicBaseUrl"] = BaseUrl;
        start.Environment["ConnectionStrings__Portal"] = connectionString;
        start.Environment["Portal__DataDirectory"] = dataDirectory;
        start.Environment["Portal__AdminEmail"] = "admin@crash.local";
        start.Environment["Portal__AdminPassword"] = "Crash-Admin-Passw0rd";
        start.Environment["Portal__AdminMustChangePassword"] = "false"; // the test signs in with it
        start.Environment["Discovery__IntervalMinutes"] = "0";
        start.Environment["DataProtection__KeyRingCertificate"] = TestKeyRing.CertificatePath;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = inside?.CreateHttpClient() ?? new HttpClient();
        http.Timeout = TimeSpan.FromSeconds(2);
        var deadline = DateTime.UtcNow.AddSeconds(180); // a loaded 2-core CI machine (VMs running beside) starts it slowly
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"The Portal exited with {process.ExitCode} while starting:\n{Output}");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The Portal did not become healthy within 180 s:\n{Output}");
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (process is null || process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        lock (output) output.AppendLine("---- killed (SIGKILL) ----");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
