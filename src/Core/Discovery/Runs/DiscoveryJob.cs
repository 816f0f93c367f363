using Portal.Core.Auditing;
using Quartz;

namespace Portal.Core.Discovery.Runs;

/// <summary>Periodic and on-demand discovery. Thin: the same runner the UI and API use.</summary>
[DisallowConcurrentExecution]
public sealed class DiscoveryJob(DiscoveryRunner runner) : IJob
{
    public static readonly JobKey Key = new("discovery", "discovery");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await runner.RunAsync(Actor.System, cancellationToken);
}
