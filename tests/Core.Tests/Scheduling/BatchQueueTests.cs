using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Scheduling;
using Portal.TestSupport;

namespace Portal.Core.Tests.Scheduling;

/// <summary>
/// The loop the netboot fetches, the netboot writer and the run wakeups share: what gathers while a
/// batch is worked on is the next batch, never more than its limit, and a batch that fails stops nothing.
/// </summary>
public sealed class BatchQueueTests
{
    [Fact]
    public async Task ItemsAddedWhileABatchIsWorkedOnMakeTheNextBatchesUpToTheLimitAndAFailingBatchStopsNothing()
    {
        var first = new TaskCompletionSource();
        var batches = new List<List<int>>();
        var queue = new BatchQueue<int>(3, async batch =>
        {
            lock (batches) batches.Add(batch);
            if (batch.Contains(0)) await first.Task;
            if (batch.Contains(1)) throw new InvalidOperationException("this batch fails");
        }, NullLogger.Instance);

        queue.Add(0);
        await Eventually.TrueAsync(() => { lock (batches) return batches.Count == 1; }, "the first item taken alone");
        foreach (var item in Enumerable.Range(1, 5)) queue.Add(item);
        first.SetResult();
        await Eventually.TrueAsync(() => { lock (batches) return batches.Sum(b => b.Count) == 6; }, "every item worked on");

        lock (batches) Assert.Equal([[0], [1, 2, 3], [4, 5]], batches);
    }
}
