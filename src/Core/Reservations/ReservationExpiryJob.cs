using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Portal.Core.Reservations;

/// <summary>Releases lapsed reservations. Thin: the same <see cref="Reservations"/> code the pages use.</summary>
[DisallowConcurrentExecution]
public sealed class ReservationExpiryJob(IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("reservation-expiry", "reservations");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Reservations>().ExpireAsync(cancellationToken);
    }
}
