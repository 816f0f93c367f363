using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Provisioning;
using Portal.Tests.Components;

namespace Portal.Tests.Provisioning;

/// <summary>The timeline fragment rendered on its own: served files encoded, and shown only to those who may see them.</summary>
public sealed class DeploymentBodyTests
{
    private const string Script = "#!ipxe\nkernel http://portal/boot-files/vmlinuz console=ttyS0 <&>\nboot\n";
    private const string Config = "rootpw --iscrypted $6$salt$secrethash\n%post\necho '<script>alert(1)</script>' > /etc/motd\n%end\n";

    private static DeploymentDetails Details(bool showsServedFiles)
    {
        var now = DateTimeOffset.UtcNow;
        var machine = Machine.Discovered(1, "/redfish/v1/Systems/1", now);
        machine.ApplyFacts(new MachineFacts("/redfish/v1/Systems/1", Guid.NewGuid(), "SN-1", "Lab", "QEMU", "x86_64", "UEFI", "1", "cpu", 1, 2, 2, 1L << 30, [], [], [], "Off"), 1, now);
        machine.Reserve("alice", "alice@lab", now.AddHours(1), now);
        var profile = OsProfile.Create("Rocky 9", OsInstallerKind.Kickstart, "http://k", ["http://i"], "", "rhel", new Dictionary<string, string>(), false, now);
        var deployment = Deployment.Start(machine, "alice", profile, "web-01.lab", ["ssh-ed25519 AAAA alice"], "$6$salt$secrethash", new Dictionary<string, string>(), now);
        deployment.RecordEvent(DeploymentEventKind.Netboot, "script", "Served the iPXE script", null, null, now.AddSeconds(42));
        deployment.Rendered(Script, Config, now.AddSeconds(42));
        var timeline = deployment.Events.Select((e, i) => new TimelineEntry(e, i == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(42), e.At - now)).ToList();
        return new DeploymentDetails(deployment, null, "alice@lab", timeline, 25, showsServedFiles, MayAct: true);
    }

    private static Task<AngleSharp.Html.Dom.IHtmlDocument> RenderAsync(DeploymentDetails details) =>
        ComponentRenderer.RenderAsync<DeploymentBody>(new Dictionary<string, object?> { ["Details"] = details, ["Token"] = "t", ["Now"] = DateTimeOffset.UtcNow });

    [Fact]
    public async Task TheScriptAndConfigAreShownExactlyAsServedAndHtmlEncoded()
    {
        var doc = await RenderAsync(Details(showsServedFiles: true));

        Assert.Equal(Script, doc.QuerySelector("pre#served-script")!.TextContent);
        Assert.Equal(Config, doc.QuerySelector("pre#served-config")!.TextContent);
        Assert.Empty(doc.QuerySelectorAll("#served-config script, #served-script *"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", doc.QuerySelector("#served-config")!.InnerHtml);
        Assert.Equal("Active", doc.QuerySelector("#deployment-state")!.GetAttribute("data-state"));
        Assert.Equal("25", doc.QuerySelector("#deployment-progress")!.GetAttribute("aria-valuenow"));
        Assert.Equal(["started", "script"], doc.QuerySelectorAll("#timeline tr[data-phase]").Select(r => r.GetAttribute("data-phase")));
        Assert.Equal("+42.0 s", doc.QuerySelectorAll("#timeline tr[data-phase]")[1].QuerySelectorAll("td")[1].TextContent);
        Assert.NotNull(doc.QuerySelector("#cancel-deployment"));
    }

    [Fact]
    public async Task OthersWhoSeeTheTimelineDoNotSeeTheConfigKeysOrParameters()
    {
        var doc = await RenderAsync(Details(showsServedFiles: false));

        Assert.Null(doc.QuerySelector("#served-config"));
        Assert.Null(doc.QuerySelector("#served-script"));
        Assert.Null(doc.QuerySelector("#deployment-ssh-keys"));
        Assert.NotNull(doc.QuerySelector("#served-files-hidden"));
        Assert.DoesNotContain("secrethash", doc.DocumentElement.OuterHtml);
        Assert.NotNull(doc.QuerySelector("#timeline tr[data-phase=script]"));
    }
}
