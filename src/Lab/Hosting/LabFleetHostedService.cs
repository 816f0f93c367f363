using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Hosting;

/// <summary>
/// Starts the fleet once, on first need. Lazy rather than hosted-service-only so that a service
/// resolving LabFleet before the hosted services run still gets a started fleet.
/// </summary>
public sealed class LabFleetHolder(LabOptions options, ILoggerFactory? loggers = null) : IAsyncDisposable
{
    private readonly Lazy<Task<LabFleet>> start = new(() => LabFleet.StartAsync(options, loggers));

    public LabFleet Fleet => start.Value.GetAwaiter().GetResult();

    public Task<LabFleet> StartAsync() => start.Value;

    public bool IsStarted => start.IsValueCreated && start.Value.IsCompletedSuccessfully;

    public async ValueTask DisposeAsync()
    {
        if (start.IsValueCreated && start.Value.IsCompletedSuccessfully) await start.Value.Result.DisposeAsync();
    }
}

internal sealed class LabFleetHostedService(LabFleetHolder holder) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => holder.StartAsync();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (holder.IsStarted) await holder.Fleet.DisposeAsync();
    }
}
