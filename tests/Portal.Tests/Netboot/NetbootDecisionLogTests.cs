using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Tests.Support;

namespace Portal.Tests.Netboot;

/// <summary>Every answer to a machine's firmware says in the log who asked and what it got, and why.</summary>
public sealed class NetbootDecisionLogTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnUnknownMachineAKnownOneOneMatchedOnlyBySerialAndOneBeingProvisionedEachLeaveADecisionLine()
    {
        var log = new Lines();
        // The test host logs warnings only; the decisions are Information.
        await using var host = portal.WithWebHostBuilder(b => b
            .UseSetting($"Logging:LogLevel:{"Portal.Netboot.Decisions"}", "Information")
            .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(log)));
        var client = host.CreateClient();

        var stranger = NetbootTestData.NewIdentity();
        await AskUntilSaidAsync(stranger, "efi", "not a known machine");
        // Machines and runs are made through the first host: this one learns of them from the
        // database's change feed a moment later, so each is asked for until the answer says so.
        var known = NetbootTestData.NewIdentity();
        var knownId = await portal.CreateMachineAsync(known.Mac, known.Uuid, known.Serial);
        await AskUntilSaidAsync(known, "pcbios", $"is machine {knownId}, ");
        var (stray, _, _) = NetbootTestData.NewIdentity();
        var bySerialOnly = (Mac: stray, Uuid: Guid.NewGuid(), known.Serial);
        await AskUntilSaidAsync(bySerialOnly, "efi", "by serial only");
        var installing = NetbootTestData.NewIdentity();
        var installingId = await portal.CreateMachineAsync(installing.Mac, installing.Uuid, installing.Serial);
        var (deploymentId, _) = await portal.StartDeploymentAsync(installingId);
        var installer = $"is machine {installingId}: installer of deployment {deploymentId}";
        await AskUntilSaidAsync(installing, "pcbios", installer);

        async Task AskUntilSaidAsync((string Mac, Guid Uuid, string Serial) who, string platform, string expected)
        {
            for (var tries = 0; tries < 50 && !log.All.Any(l => l.Contains(who.Mac, StringComparison.OrdinalIgnoreCase) && l.Contains(expected)); tries++)
            {
                (await client.GetAsync(NetbootTestData.ScriptUrl(who.Mac, who.Uuid, who.Serial, platform))).EnsureSuccessStatusCode();
                await Task.Delay(200);
            }
        }

        var said = string.Join("\n", log.All);
        Assert.True(log.All.Any(l => l.Contains(stranger.Mac, StringComparison.OrdinalIgnoreCase) && l.Contains("platform efi") && l.Contains("not a known machine")), said);
        Assert.True(log.All.Any(l => l.Contains($"is machine {knownId}, ") && l.EndsWith(": local disk", StringComparison.Ordinal)), said);
        Assert.True(log.All.Any(l => l.Contains(installer) && l.Contains("iPXE build x86_64")), said);
        Assert.True(log.All.Any(l => l.Contains(stray, StringComparison.OrdinalIgnoreCase) && l.Contains($"serial {known.Serial}")
            && l.Contains($"matches machine {knownId} by serial only, neither MAC nor UUID: not trusted, local disk, recorded as a sighting")), said);
    }

    private sealed class Lines : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();
        public IReadOnlyList<string> All => [.. lines];
        public ILogger CreateLogger(string category) => category == "Portal.Netboot.Decisions" ? new Writer(lines) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        public void Dispose() { }

        private sealed class Writer(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel level) => level >= LogLevel.Information;
            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> format) => lines.Enqueue(format(state, e));
        }
    }
}
