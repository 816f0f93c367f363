using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Scheduling;

/// <summary>
/// Items handed in by many callers at once and worked off in batches by one background loop, started
/// with the first item: what gathered while a batch was worked on is the next batch (at most
/// <paramref name="maxPerBatch"/>). A boot storm's thousands of requests then share database round
/// trips (netboot's fetches and writes, the runs they wake) instead of each waiting for its own.
/// <paramref name="work"/> answers its items itself; an exception it lets out is logged and the loop
/// goes on with the next batch.
/// </summary>
public sealed class BatchQueue<T>(int maxPerBatch, Func<List<T>, Task> work, ILogger logger)
{
    private readonly Channel<T> queue = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock gate = new();
    private Task? loop;

    public void Add(T item)
    {
        if (loop is null) lock (gate) loop ??= Task.Run(RunAsync);
        queue.Writer.TryWrite(item);
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<T>();
            while (batch.Count < maxPerBatch && reader.TryRead(out var item)) batch.Add(item);
            try
            {
                await work(batch);
            }
            catch (Exception e)
            {
                logger.LogError(e, "A batch of {Count} {Item} items failed as a whole", batch.Count, typeof(T).Name);
            }
        }
    }
}
