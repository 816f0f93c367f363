using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Live;
using Portal.Tests.Support;

namespace Portal.Tests.Live;

/// <summary>Two Portal instances on one database, as behind a load balancer.</summary>
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private readonly PortalFactory first = new();
    private PortalFactory second = null!;

    public async Task InitializeAsync()
    {
        await first.InitializeAsync();
        second = PortalFactory.SecondInstanceOf(first);
        await second.InitializeAsync();
    }

    [Fact]
    public async Task ChangePublishedByOneInstanceReachesSubscribersOfTheOther()
    {
        using var heard = await HeardTopics.OnceListeningAsync(first);

        await second.Services.GetRequiredService<ILiveUpdates>().ChangedAsync("machine:42");

        await heard.HeardAsync("machine:42");
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
    }
}
