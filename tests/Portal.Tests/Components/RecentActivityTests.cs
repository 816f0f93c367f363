using Portal.Activity;
using Portal.Core.Auditing;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public sealed class RecentActivityTests : ComponentTest
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void RendersEachEventWithWhoWhatAndWhen()
    {
        AuditEvent[] events =
        [
            AuditEvent.Record(new Actor("u1", "ada@example.com"), "user.login", "user", "u1", "Signed in", At),
            AuditEvent.Record(Actor.System, "user.created", "user", "u2", "First administrator created", At.AddMinutes(-5)),
        ];
        var activity = RenderInteractive<RecentActivity>(p => p.Add(c => c.Events, events));

        var rows = activity.FindAll("#recent-activity .activity-row");
        Assert.Equal(2, rows.Count);
        Assert.Contains("ada@example.com", rows[0].TextContent);
        Assert.Contains("user.login", rows[0].TextContent);
        Assert.Equal("2026-11-21 09:30:00Z", rows[0].QuerySelector("time")!.TextContent);
        Assert.Equal("2026-11-21T09:30:00.0000000+00:00", rows[0].QuerySelector("time")!.GetAttribute("datetime"));
    }

    [Fact]
    public void SaysSoWhenNothingHappenedYet()
    {
        var activity = RenderInteractive<RecentActivity>(p => p.Add(c => c.Events, Array.Empty<AuditEvent>()));
        Assert.Empty(activity.FindAll("#recent-activity .activity-row"));
        Assert.Contains("Nothing has happened yet.", activity.Find("#recent-activity").TextContent);
    }
}
