using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Bench;

/// <summary>
/// Starts a big lab (1,000 BMCs by default) and has every BMC answer an authenticated Redfish
/// request at once. Prints start time and the concurrent round; exits non-zero when the start
/// misses its 10 s target or a BMC does not answer. Then provisions lab machines at once through a
/// real Portal with admission limits on, every machine netbooting and installing with the lab's
/// simulated firmware (<see cref="Portal.Bench.LabProvisioningRun"/>); fails unless all reach Deployed.
/// Args: [bmcs=1000] [deployments=20] [limit=100] [queue poll ms=10000] [installer pace ms=100].
/// </summary>
public static class LabBench
{
    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var deployments = args.Length > 1 ? int.Parse(args[1]) : 20;
        var limit = args.Length > 2 ? int.Parse(args[2]) : 100;
        var queuePoll = TimeSpan.FromMilliseconds(args.Length > 3 ? int.Parse(args[3]) : 10000);
        var pace = TimeSpan.FromMilliseconds(args.Length > 4 ? int.Parse(args[4]) : 100);
        var target = TimeSpan.FromSeconds(10);

        var dir = Path.Combine(Path.GetTempPath(), $"portal-lab-bench-{Environment.ProcessId}");
        var options = new LabOptions { BmcCount = count, FirstAddress = "127.1.0.1", OutputDirectory = dir };
        var clock = Stopwatch.StartNew();
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).AddFilter("Portal.Lab", LogLevel.Information));
        await using var fleet = await LabFleet.StartAsync(options, loggers);
        var started = clock.Elapsed;
        Console.WriteLine($"lab bench: {count} BMCs ({fleet.Systems.Count()} systems, HTTPS, one ECDSA cert each) started in {started.TotalSeconds:F2} s (target < {target.TotalSeconds:F0} s)");

        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            MaxConnectionsPerServer = 2,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };

        var failures = 0;
        for (var round = 1; round <= 2; round++)
        {
            // Round 1 pays for 1,000 TLS handshakes; round 2 reuses the connections.
            fleet.ResetStats();
            clock.Restart();
            var results = await Task.WhenAll(fleet.Bmcs.Select(async b =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(b.BaseUri, b.Systems[0].RedfishPath));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{b.Username}:{b.Password}")));
                try
                {
                    using var response = await client.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }));
            var elapsed = clock.Elapsed;
            var ok = results.Count(r => r);
            var peak = fleet.Bmcs.Sum(b => b.Stats.MaxInFlight > 0 ? 1 : 0);
            failures += results.Length - ok;
            Console.WriteLine($"lab bench: round {round}: {ok}/{count} BMCs answered GET ComputerSystem concurrently in {elapsed.TotalMilliseconds:F0} ms " +
                $"({count / elapsed.TotalSeconds:F0} req/s; {peak} BMCs saw a request)");
        }

        try { Directory.Delete(dir, true); } catch (IOException) { }
        var pass = started < target && failures == 0;
        Console.WriteLine($"lab bench: {(pass ? "PASS" : "FAIL")}");
        await fleet.DisposeAsync();

        // Its own addresses (127.1.8.x–127.1.11.x for 1,000), so it never meets the fleet above.
        var provisioned = deployments <= 0 || await Portal.Bench.LabProvisioningRun.RunAsync(new Portal.Bench.LabProvisioningSettings(
            "lab bench provisioning", deployments, limit, FirstAddress: "127.1.8.1", InstallerPace: pace, QueuePollInterval: queuePoll,
            PollInterval: TimeSpan.FromSeconds(5))); // the Portal's default: the machines' acts wake the waiting runs
        return pass && provisioned ? 0 : 1;
    }
}
