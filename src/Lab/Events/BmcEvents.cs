using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Portal.Lab.Events;

/// <summary>
/// One BMC's Redfish event feed: every open server-sent-event stream gets its own queue.
/// Publishing never blocks (it runs under the BMC lock); a stream that falls far behind loses
/// its oldest events, as a real BMC's bounded buffer would.
/// </summary>
internal sealed class BmcEvents
{
    private const int QueuedPerStream = 256;
    private readonly object sync = new();
    private readonly List<Channel<JsonObject>> streams = [];
    private long nextEventId;

    public int OpenStreams
    {
        get { lock (sync) return streams.Count; }
    }

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(QueuedPerStream)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (sync) streams.Add(channel);
        return new Subscription(this, channel);
    }

    public void Publish(string messageId, string message, string originPath)
    {
        var id = Interlocked.Increment(ref nextEventId);
        var body = new JsonObject
        {
            ["@odata.type"] = "#Event.v1_7_0.Event",
            ["Id"] = id.ToString(),
            ["Name"] = "Event Array",
            ["Events"] = new JsonArray(new JsonObject
            {
                ["EventId"] = id.ToString(),
                ["EventTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffK"),
                ["MessageId"] = messageId,
                ["Message"] = message,
                ["MessageArgs"] = new JsonArray(originPath),
                ["MessageSeverity"] = "OK",
                ["OriginOfCondition"] = new JsonObject { ["@odata.id"] = originPath },
            }),
        };
        lock (sync)
        {
            foreach (var stream in streams) stream.Writer.TryWrite(body);
        }
    }

    /// <summary>Ends every open stream, as a BMC restarting its web server does.</summary>
    public void DropAll()
    {
        lock (sync)
        {
            foreach (var stream in streams) stream.Writer.TryComplete();
            streams.Clear();
        }
    }

    private void Remove(Channel<JsonObject> channel)
    {
        lock (sync) streams.Remove(channel);
        channel.Writer.TryComplete();
    }

    internal sealed class Subscription(BmcEvents owner, Channel<JsonObject> channel) : IDisposable
    {
        public ChannelReader<JsonObject> Reader => channel.Reader;

        public void Dispose() => owner.Remove(channel);
    }
}
