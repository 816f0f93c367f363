using System.Net.Http.Json;
using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Users;
using Portal.Provisioning;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Provisioning;

/// <summary>The provision form, the timeline page and the dashboard, interactive, against the real Portal services.</summary>
[Collection(ProvisioningCollection.Name)]
public sealed class DeploymentPageTests(ProvisioningFactory factory) : ProvisioningComponentTest(factory)
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk alice@lab";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private void GoTo(string url) => Services.GetRequiredService<NavigationManager>().NavigateTo(url);

    private Task<List<Deployment>> DeploymentsOnAsync(IEnumerable<long> machines)
    {
        var ids = machines.ToList();
        return Portal.WithDbAsync(db => db.Deployments.AsNoTracking().Where(d => ids.Contains(d.MachineId)).OrderBy(d => d.Id).ToListAsync());
    }

    /// <summary>The helper or error text under the field whose input has <paramref name="inputId"/>.</summary>
    private static string FieldText(IRenderedComponent<IComponent> page, string inputId) =>
        page.Find($".mud-input-control:has(#{inputId})").TextContent;

    [Fact]
    public async Task AMissingHostnamePatternIsSaidNextToTheFieldAndNothingStarts()
    {
        var alice = await Portal.MemberAsync("form-missing");
        var mine = await Portal.ReservedAsync(alice.Api, 2);
        SignIn(alice);
        GoTo($"/deployments/new?machine={mine[0]}&machine={mine[1]}");

        var page = Show<ProvisionPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#provision-machines input[type=checkbox]:checked").Count), Patience);
        Fresh.Dispatch(() => page.Find("#start-provisioning").Click());

        page.WaitForAssertion(() => Assert.Contains("Give a hostname pattern, e.g. node{n}.lab.", FieldText(page, "hostname")));
        Assert.Empty(await DeploymentsOnAsync(mine));
    }

    [Fact]
    public async Task ABadSshKeyAPatternWithoutNumberAndABadParameterLineAreEachSaidNextToTheirField()
    {
        var alice = await Portal.MemberAsync("form-bad");
        var mine = await Portal.ReservedAsync(alice.Api, 2);
        SignIn(alice);
        GoTo($"/deployments/new?machine={mine[0]}&machine={mine[1]}");
        var page = Show<ProvisionPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#provision-machines input[type=checkbox]:checked").Count), Patience);

        Fresh.Dispatch(() => page.Find("#hostname").Change("same.lab"));
        Fresh.Dispatch(() => page.Find("#ssh-keys").Change(Key + "\nnot-a-key here"));
        Fresh.Dispatch(() => page.Find("#parameters").Change("install_seconds=1\njust words"));
        Fresh.Dispatch(() => page.Find("#start-provisioning").Click());

        page.WaitForAssertion(() => Assert.Contains("needs {n} or {name}", FieldText(page, "hostname")));
        Assert.Contains("Line 2: \"not-a-key here\" does not look like an SSH public key", FieldText(page, "ssh-keys"));
        Assert.Contains("Parameters, line 2: \"just words\" is not key=value.", FieldText(page, "parameters"));
        Assert.Empty(await DeploymentsOnAsync(mine));
    }

    [Fact]
    public async Task ProvisioningTwoMachinesWhereOneWasTakenMeanwhileShowsAResultPerMachine()
    {
        var alice = await Portal.MemberAsync("form-multi");
        var mine = await Portal.ReservedAsync(alice.Api, 2);
        SignIn(alice);
        GoTo($"/deployments/new?machine={mine[0]}&machine={mine[1]}");
        var page = Show<ProvisionPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#provision-machines input[type=checkbox]:checked").Count), Patience);

        // The machine listed second starts elsewhere (another tab, the API) while this form is open.
        var listed = page.FindAll("#provision-machines [data-machine-id]").Select(e => long.Parse(e.GetAttribute("data-machine-id")!)).ToList();
        await Portal.StartAsync(alice.Api, listed[1], "elsewhere.lab");
        Fresh.Dispatch(() => page.Find("#hostname").Change("multi{n}.lab"));
        Fresh.Dispatch(() => page.Find("#ssh-keys").Change(Key));
        Fresh.Dispatch(() => page.Find("#start-provisioning").Click());

        page.WaitForAssertion(() => Assert.NotNull(page.Find("#provision-errors")), Patience);
        var started = Assert.Single(page.FindAll("#provision-started li"));
        Assert.Equal(listed[0].ToString(), started.GetAttribute("data-machine-id"));
        Assert.Contains("as multi1.lab", started.TextContent);
        var refused = Assert.Single(page.FindAll("#provision-errors li"));
        Assert.Equal(listed[1].ToString(), refused.GetAttribute("data-machine-id"));
        Assert.Contains("(multi2.lab)", refused.TextContent);
        Assert.Contains("already being provisioned", refused.TextContent);
        // Numbered in the order the form lists the machines; both are Provisioning now, so neither can be ticked again.
        var runs = await DeploymentsOnAsync(mine);
        Assert.Equal(["elsewhere.lab", "multi1.lab"], runs.Select(d => d.Hostname).Order());
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#provision-machines input[type=checkbox][disabled]").Count));
        foreach (var run in runs) await alice.Api.PostAsync($"/api/v1/deployments/{run.Id}/cancel", null);
    }

    [Fact]
    public async Task TwoMachinesThatBothStartLeadToTheDashboardWithOneMessage()
    {
        var alice = await Portal.MemberAsync("form-all");
        var mine = await Portal.ReservedAsync(alice.Api, 2);
        SignIn(alice);
        GoTo($"/deployments/new?machine={mine[0]}&machine={mine[1]}");
        var page = Show<ProvisionPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#provision-machines input[type=checkbox]:checked").Count), Patience);

        Fresh.Dispatch(() => page.Find("#hostname").Change("{name}"));
        Fresh.Dispatch(() => page.Find("#start-provisioning").Click());

        page.WaitForAssertion(() => Assert.Equal("deployments", Location), Patience);
        Assert.Contains(Snackbars, s => s.StartsWith("Started 2 deployments", StringComparison.Ordinal));
        var runs = await DeploymentsOnAsync(mine);
        Assert.Equal(2, runs.Count);
        foreach (var run in runs) await alice.Api.PostAsync($"/api/v1/deployments/{run.Id}/cancel", null);
    }

    [Fact]
    public async Task TheTimelineFollowsTheRunAsItFailsAndRetryAsksFirstThenOpensTheNewRun()
    {
        var alice = await Portal.MemberAsync("timeline-live");
        var machineId = (await Portal.ReservedAsync(alice.Api))[0];
        var id = await Portal.StartAsync(alice.Api, machineId, "live.lab");
        SignIn(alice);

        var page = Show<DeploymentPage>(("Id", id));
        page.WaitForAssertion(() => Assert.Equal("WaitForScriptFetch", page.Find("#deployment-step").GetAttribute("data-step")), Patience);
        Assert.Equal("Active", page.Find("#deployment-state").GetAttribute("data-state"));
        Assert.NotNull(page.Find("#timeline tr[data-phase=started]"));
        Assert.Empty(page.FindAll("#retry-deployment"));

        // The installer reports a failure: Core records it and publishes deployment:{id}; the open page follows.
        var token = await Portal.TokenOfAsync(id);
        var installer = Portal.InstallerOf(machineId);
        Assert.True(await installer.NetbootAsync());
        await installer.FetchConfigAsync();
        // Someone else's fetch of the config is refused, and the open page shows it as a warning.
        using var stranger = new HttpClient(Portal.Server.CreateHandler(h => h.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.66.6.6")))
            { BaseAddress = Portal.Server.BaseAddress };
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await stranger.GetAsync($"/netboot/config/{token}")).StatusCode);
        page.WaitForAssertion(() => Assert.Contains("Refused the config to 10.66.6.6", page.Find("#timeline tr[data-phase=refused][data-warning=true]").TextContent), Patience);
        await Portal.CreateClient().PostAsync($"/netboot/events/{token}",
            new StringContent("""{"phase":"failed","message":"kickstart: no <disk> & no network"}""", System.Text.Encoding.UTF8, "application/json"));

        page.WaitForAssertion(() => Assert.Equal("Failed", page.Find("#deployment-state").GetAttribute("data-state")), Patience);
        Assert.Contains("kickstart: no <disk> & no network", page.Find("#failure-reason").TextContent);
        Assert.NotNull(page.Find("#timeline tr[data-kind=Installer][data-phase=failed]"));
        Assert.Empty(page.FindAll("#cancel-deployment"));

        Press(page, "#retry-deployment");
        ClickDialogButton(page, "Not now");
        Assert.Single(await DeploymentsOnAsync([machineId]));

        Press(page, "#retry-deployment");
        ClickDialogButton(page, "Retry");
        page.WaitForAssertion(() => Assert.Matches(@"^deployments/\d+$", Location), Patience);
        var retried = (await DeploymentsOnAsync([machineId])).Last();
        Assert.NotEqual(id, retried.Id);
        Assert.Equal($"deployments/{retried.Id}", Location);
        Assert.Equal(DeploymentState.Active, retried.State);
        await alice.Api.PostAsync($"/api/v1/deployments/{retried.Id}/cancel", null);
    }

    [Fact]
    public async Task CancelAsksForConfirmationAndThenCancels()
    {
        var alice = await Portal.MemberAsync("timeline-cancel");
        var machineId = (await Portal.ReservedAsync(alice.Api))[0];
        var id = await Portal.StartAsync(alice.Api, machineId, "cancel.lab");
        SignIn(alice);
        var page = Show<DeploymentPage>(("Id", id));

        Press(page, "#cancel-deployment");
        ClickDialogButton(page, "Keep running");
        Assert.Equal(DeploymentState.Active, (await Portal.DeploymentAsync(id)).State);

        Press(page, "#cancel-deployment");
        ClickDialogButton(page, "Cancel run");

        page.WaitForAssertion(() => Assert.Equal("Cancelled", page.Find("#deployment-state").GetAttribute("data-state")), Patience);
        Assert.Equal(DeploymentState.Cancelled, (await Portal.DeploymentAsync(id)).State);
        // The live reload may show the new state before the action's own answer arrives in a snackbar.
        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Contains("cancelled", StringComparison.Ordinal)), Patience);
        Assert.Empty(page.FindAll("#cancel-deployment"));
        Assert.NotNull(page.Find("#timeline tr[data-phase=cancelled]"));
    }

    [Fact]
    public async Task ServedFilesAreShownEscapedToTheRequesterAndOperatorsAndHiddenFromTheMachinesNextHolder()
    {
        const string Script = "#!ipxe\nkernel http://portal/boot-files/vmlinuz console=ttyS0 <&>\nboot\n";
        const string Config = "rootpw --iscrypted $6$salt$secrethash\n%post\necho '<script>alert(1)</script>' > /etc/motd\n%end\n";
        var alice = await Portal.MemberAsync("files-owner");
        var bob = await Portal.MemberAsync("files-next-holder");
        var carol = await Portal.MemberAsync("files-operator", Roles.Operator);
        var dave = await Portal.MemberAsync("files-stranger");
        var machineId = (await Portal.ReservedAsync(alice.Api))[0];
        var id = await Portal.StartAsync(alice.Api, machineId, "files.lab");
        // The files as the netboot endpoints would have stored them; then the run is cancelled and the machine changes hands.
        await Portal.WithDbAsync(async db =>
        {
            (await db.Deployments.SingleAsync(d => d.Id == id)).Rendered(Script, Config, "token-not-in-these-files", DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync();
        });
        await alice.Api.PostAsync($"/api/v1/deployments/{id}/cancel", null);
        await Portal.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var machine = await db.Machines.SingleAsync(m => m.Id == machineId);
            machine.Release(now);
            machine.Reserve(bob.Id, bob.Email, now.AddHours(1), now);
            return await db.SaveChangesAsync();
        });

        SignIn(alice);
        var owners = Show<DeploymentPage>(("Id", id));
        owners.WaitForElement("#served-config");
        Assert.Equal(Script, owners.Find("pre#served-script").TextContent);
        Assert.Equal(Config, owners.Find("pre#served-config").TextContent);
        Assert.Empty(owners.FindAll("#served-config *, #served-script *"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", owners.Find("#served-config").InnerHtml);
        owners.Dispose();

        SignIn(carol);
        var operators = Show<DeploymentPage>(("Id", id));
        operators.WaitForElement("#served-config");
        operators.Dispose();

        SignIn(bob);
        var holders = Show<DeploymentPage>(("Id", id));
        holders.WaitForElement("#served-files-hidden");
        Assert.Empty(holders.FindAll("#served-config, #served-script, #deployment-ssh-keys"));
        Assert.DoesNotContain("secrethash", holders.Markup);
        Assert.NotNull(holders.Find("#timeline tr[data-phase=cancelled]"));
        holders.Dispose();

        SignIn(dave);
        var strangers = Show<DeploymentPage>(("Id", id));
        strangers.WaitForElement("#deployment-missing");
        Assert.DoesNotContain("files.lab", strangers.Markup);
    }

    [Fact]
    public async Task TheDashboardShowsOperatorsEveryRunAndUsersOnlyTheirOwnAndFollowsNewRuns()
    {
        var owner = await Portal.MemberAsync("board-owner");
        var op = await Portal.MemberAsync("board-operator", Roles.Operator);
        var stranger = await Portal.MemberAsync("board-stranger");
        var machines = await Portal.ReservedAsync(owner.Api, 2);
        var id = await Portal.StartAsync(owner.Api, machines[0], "board.lab");

        SignIn(op);
        var board = Show<DeploymentsPage>();
        board.WaitForAssertion(() => Assert.NotNull(board.Find($"#running-deployments tr[data-deployment-id='{id}']")), Patience);
        var row = board.Find($"#running-deployments tr[data-deployment-id='{id}']");
        Assert.Equal("WaitForScriptFetch", row.GetAttribute("data-step"));
        Assert.Contains("Wait for the iPXE script fetch", row.TextContent);
        Assert.Contains("board-owner@test.local", row.TextContent);

        // A run started elsewhere appears without a reload (Core publishes "deployments").
        var second = await Portal.StartAsync(owner.Api, machines[1], "board2.lab");
        board.WaitForAssertion(() => Assert.NotNull(board.Find($"#running-deployments tr[data-deployment-id='{second}']")), Patience);
        board.Dispose();

        SignIn(owner);
        var owners = Show<DeploymentsPage>();
        owners.WaitForAssertion(() => Assert.NotNull(owners.Find($"#running-deployments tr[data-deployment-id='{id}']")), Patience);
        owners.Dispose();

        SignIn(stranger);
        var strangers = Show<DeploymentsPage>();
        strangers.WaitForElement("#deployment-board");
        Assert.Empty(strangers.FindAll($"[data-deployment-id='{id}']"));

        foreach (var run in new[] { id, second }) await owner.Api.PostAsync($"/api/v1/deployments/{run}/cancel", null);
    }
}
