using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;
using Quartz;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// At start-up, gives every unfinished run a job again if it has none. Quartz's store normally
/// keeps the next trigger across a crash; this covers the gap between a deployment being saved and
/// its first trigger being stored (a crash right there would otherwise leave the run stuck).
/// </summary>
internal sealed class ProvisioningRecovery(IServiceScopeFactory scopes, ISchedulerFactory schedulers, ILogger<ProvisioningRecovery> logger) : IHostedService
{
    private static readonly ProvisioningStep[] Ended = Enum.GetValues<ProvisioningStep>().Where(s => s.IsTerminal()).ToArray();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        List<long> running;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            running = await db.DeploymentWorkflows.AsNoTracking().Where(w => !Ended.Contains(w.Step)).Select(w => w.DeploymentId).ToListAsync(cancellationToken);
        }
        if (running.Count == 0) return;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var id in running)
        {
            if (await scheduler.GetJobDetail(ProvisioningSchedule.KeyOf(id), cancellationToken) is not null) continue;
            logger.LogInformation("Resuming provisioning run of deployment {Deployment}, which had no scheduled step", id);
            await ProvisioningSchedule.StartAsync(scheduler, id, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
