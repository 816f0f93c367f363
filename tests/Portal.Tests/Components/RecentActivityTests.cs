using Portal.Activity;
using Portal.Core.Auditing;

namespace Portal.Tests.Components;

public sealed class RecentActivityTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task RendersEachEventWithWhoWhatAndWhen()
    {
        AuditEvent[] events =
        [
            AuditEvent.Record(new Actor("u1", "ada@example.com"), "user.login", "user", "u1", "Signed in", At),
            AuditEvent.Record(Actor.System, "user.created", "user", "u2", "First administrator created", At.AddMinutes(-5)),
        ];
        var doc = await ComponentRenderer.RenderAsync<RecentActivity>(new Dictionary<string, object?> { ["Events"] = events, ["RenderedAt"] = At });

        var items = doc.QuerySelectorAll("#recent-activity li");
        Assert.Equal(2, items.Length);
        Assert.Contains("ada@example.com", items[0].TextContent);
        Assert.Equal("user.login", items[0].QuerySelector(".badge")!.TextContent);
        Assert.Equal("2026-11-21 09:30:00Z", items[0].QuerySelector("time")!.TextContent);
        Assert.Equal("2026-11-21T09:30:00.0000000+00:00", items[0].QuerySelector("time")!.GetAttribute("datetime"));
    }

    [Fact]
    public async Task IsWiredForLiveRefreshOfItsOwnFragment()
    {
        var doc = await ComponentRenderer.RenderAsync<RecentActivity>(new Dictionary<string, object?> { ["Events"] = Array.Empty<AuditEvent>(), ["RenderedAt"] = At });
        var root = doc.QuerySelector("#recent-activity")!;
        Assert.Equal("audit", root.GetAttribute("data-live-topic"));
        Assert.Equal("/fragments/activity", root.GetAttribute("hx-get"));
        Assert.Equal("live-changed", root.GetAttribute("hx-trigger"));
        Assert.Equal("outerHTML", root.GetAttribute("hx-swap"));
    }

    [Fact]
    public async Task SaysSoWhenNothingHappenedYet()
    {
        var doc = await ComponentRenderer.RenderAsync<RecentActivity>(new Dictionary<string, object?> { ["Events"] = Array.Empty<AuditEvent>(), ["RenderedAt"] = At });
        Assert.Empty(doc.QuerySelectorAll("#recent-activity li"));
        Assert.Contains("Nothing has happened yet.", doc.QuerySelector("#recent-activity")!.TextContent);
    }
}
