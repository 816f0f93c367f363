using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Provisioning.Workflow;
using Quartz;

namespace Portal.Core.Reservations;

/// <summary>Releases lapsed reservations. Thin: the same <see cref="Reservations"/> and <see cref="ProvisioningService"/> code the pages use.</summary>
[DisallowConcurrentExecution]
public sealed class ReservationExpiryJob(IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("reservation-expiry", "reservations");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Reservations>().ExpireAsync(cancellationToken);
        // Installed machines are powered off by a release run before anyone else gets them.
        var lapsed = await scope.ServiceProvider.GetRequiredService<Reservations>().LapsedInstalledAsync(cancellationToken);
        foreach (var machineId in lapsed)
            await scope.ServiceProvider.GetRequiredService<ProvisioningService>().ReleaseAsync(machineId, null, Requester.System, cancellationToken);
    }
}
