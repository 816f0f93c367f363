using Portal.Live;

namespace Portal.Tests.Live;

public sealed class LiveReloaderTests
{
    [Fact]
    public async Task BurstOfRequestsDuringAReloadGivesExactlyOneMoreReload()
    {
        var firstReloadMayEnd = new TaskCompletionSource();
        var reloads = 0;
        var reloader = new LiveReloader(async () =>
        {
            if (Interlocked.Increment(ref reloads) == 1) await firstReloadMayEnd.Task;
        });

        var running = reloader.RequestAsync();
        for (var i = 0; i < 50; i++)
            Assert.True(reloader.RequestAsync().IsCompleted, "a request during a reload only marks one more as pending");
        firstReloadMayEnd.SetResult();
        await running;

        Assert.Equal(2, reloads);
    }

    [Fact]
    public async Task FailingReloadDoesNotStopLaterReloads()
    {
        var firstReloadMayFail = new TaskCompletionSource();
        var reloads = 0;
        var reloader = new LiveReloader(async () =>
        {
            if (Interlocked.Increment(ref reloads) == 1)
            {
                await firstReloadMayFail.Task;
                throw new InvalidOperationException("database away");
            }
        });

        var running = reloader.RequestAsync();
        _ = reloader.RequestAsync();
        firstReloadMayFail.SetResult();
        await Assert.ThrowsAsync<InvalidOperationException>(() => running);

        await reloader.RequestAsync();

        Assert.Equal(2, reloads);
    }
}
