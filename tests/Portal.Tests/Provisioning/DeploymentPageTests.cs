using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Provisioning;

/// <summary>The provision forms, the timeline page and the dashboard, the way a browser without JavaScript uses them.</summary>
[Collection(ProvisioningCollection.Name)]
public sealed class DeploymentPageTests(ProvisioningFactory factory)
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk alice@lab";

    /// <summary>Posts the form found by <paramref name="formSelector"/> on <paramref name="pageUrl"/>: its hidden fields plus <paramref name="fields"/> (which may repeat a name).</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, string formSelector, params (string Name, string Value)[] fields)
    {
        var page = await client.GetPageAsync(pageUrl);
        var form = page.QuerySelector(formSelector) as IHtmlFormElement ?? throw new InvalidOperationException($"No {formSelector} on {pageUrl}");
        var values = form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>().Select(i => new KeyValuePair<string, string>(i.Name!, i.Value))
            .Concat(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        return await client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>Where a redirect points, as a local path (the page form's redirect is absolute, the minimal API ones are not).</summary>
    private static string Target(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(new Uri("http://localhost"), response.Headers.Location!).PathAndQuery;
    }

    [Fact]
    public async Task TheProvisionFormForOneMachineStartsADeploymentAndLandsOnItsLiveTimeline()
    {
        var (browser, api) = await factory.UserAsync("page-start");
        var machineId = (await factory.ReservedAsync(api))[0];
        var profileId = (await factory.LabInstallerIdAsync()).ToString();

        // The machine page's Provision button leads here with the machine ticked.
        var machinePage = await browser.GetPageAsync($"/deployments/new?machine={machineId}");
        Assert.NotNull(machinePage.QuerySelector($"#provision-form input[name=machine][value='{machineId}'][checked]"));
        Assert.NotNull(machinePage.QuerySelector($"#profile option[value='{profileId}']"));
        Assert.Equal("/fragments/provision/parameters", machinePage.QuerySelector("#profile")!.GetAttribute("hx-get"));
        var defaults = await browser.GetStringAsync($"/fragments/provision/parameters?profile={profileId}");
        Assert.Equal("install_seconds=1", BrowserSession.Parse(defaults).QuerySelector("textarea#parameters")!.TextContent.Trim());

        var response = await PostFormAsync(browser, $"/deployments/new?machine={machineId}", "#provision-form",
            ("machine", machineId.ToString()), ("profile", profileId), ("hostname", "form-node.lab"), ("ssh_keys", Key + "\n\n"), ("parameters", "install_seconds=3\n# a comment\n"));

        var location = Target(response);
        Assert.Matches(@"^/deployments/\d+\?ok=", location);
        var timeline = await browser.GetPageAsync(location);
        var id = long.Parse(timeline.QuerySelector("#deployment")!.GetAttribute("data-deployment-id")!);
        Assert.Equal($"deployment:{id}", timeline.QuerySelector("#deployment")!.GetAttribute("data-live-topic"));
        Assert.Equal("Active", timeline.QuerySelector("#deployment-state")!.GetAttribute("data-state"));
        Assert.False(string.IsNullOrEmpty(timeline.QuerySelector("#deployment-step")!.GetAttribute("data-step")));
        Assert.NotNull(timeline.QuerySelector("#timeline tr[data-phase=started]"));
        Assert.Contains("Provisioning", timeline.QuerySelector("#notice")!.TextContent);
        Assert.Equal(Key, timeline.QuerySelector("#deployment-ssh-keys li")!.TextContent);
        Assert.Equal("3", timeline.QuerySelector("#deployment-parameters td")!.TextContent);
        Assert.NotNull(timeline.QuerySelector("#cancel-deployment"));
        Assert.Null(timeline.QuerySelector("#retry-deployment"));

        var cancel = await PostFormAsync(browser, $"/deployments/{id}", "form:has(#cancel-deployment)");

        var cancelled = await browser.GetPageAsync(Target(cancel));
        Assert.Contains("cancelled", cancelled.QuerySelector("#notice")!.TextContent);
        Assert.Equal("Cancelled", cancelled.QuerySelector("#deployment-state")!.GetAttribute("data-state"));
        Assert.Null(cancelled.QuerySelector("#cancel-deployment"));
    }

    [Fact]
    public async Task TheProvisionFormProvisionsSeveralFromAPatternAndNamesEachRefusedMachineAndWhy()
    {
        var (browser, api) = await factory.UserAsync("page-multi");
        var (_, other) = await factory.UserAsync("page-multi-other");
        var mine = await factory.ReservedAsync(api, 2);
        var theirs = (await factory.ReservedAsync(other))[0];
        var profileId = (await factory.LabInstallerIdAsync()).ToString();
        var myMachines = await browser.GetPageAsync("/deployments/new");
        Assert.Equal(mine.Order(), myMachines.QuerySelectorAll("#provision-form input[type=checkbox][name=machine]").Select(i => long.Parse(i.GetAttribute("value")!)).Order());

        var samePattern = await PostFormAsync(browser, "/deployments/new", "#provision-form",
            ("machine", mine[0].ToString()), ("machine", mine[1].ToString()), ("profile", profileId), ("hostname", "same.lab"), ("ssh_keys", Key));
        var refusedOne = await PostFormAsync(browser, "/deployments/new", "#provision-form",
            ("machine", mine[0].ToString()), ("machine", theirs.ToString()), ("machine", mine[1].ToString()), ("profile", profileId), ("hostname", "multi{n}.lab"), ("ssh_keys", Key));

        var patternPage = BrowserSession.Parse(await samePattern.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, samePattern.StatusCode);
        Assert.Contains("needs {n} or {name}", patternPage.QuerySelector("#provision-error")!.TextContent);
        Assert.Equal("same.lab", patternPage.QuerySelector("#hostname")!.GetAttribute("value"));
        Assert.Equal(Key, patternPage.QuerySelector("#ssh-keys")!.TextContent);
        Assert.Equal(2, patternPage.QuerySelectorAll("#provision-form input[name=machine]:checked").Length);

        var results = BrowserSession.Parse(await refusedOne.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, refusedOne.StatusCode);
        Assert.Equal(mine.Order(), results.QuerySelectorAll("#provision-started li").Select(li => long.Parse(li.GetAttribute("data-machine-id")!)).Order());
        var refusal = Assert.Single(results.QuerySelectorAll("#provision-errors li"));
        Assert.Equal(theirs.ToString(), refusal.GetAttribute("data-machine-id"));
        Assert.Contains("held by page-multi-other@test.local", refusal.TextContent);
        var hostnames = await api.GetFromJsonAsync<JsonElement>("/api/v1/deployments?state=Active");
        // Numbered in the order the form lists the machines; the refused one (not the user's) comes last.
        Assert.Equal(["multi1.lab", "multi2.lab"], hostnames.EnumerateArray().Where(d => mine.Contains(d.GetProperty("machineId").GetInt64()))
            .Select(d => d.GetProperty("hostname").GetString()).Order());

        // Both are now Provisioning: the form lists them disabled, so a second press cannot start them twice.
        var after = await browser.GetPageAsync("/deployments/new");
        Assert.All(after.QuerySelectorAll("#provision-form input[name=machine]"), i => Assert.True(i.HasAttribute("disabled")));
        foreach (var d in hostnames.EnumerateArray().Where(d => mine.Contains(d.GetProperty("machineId").GetInt64())))
            await api.PostAsync($"/api/v1/deployments/{d.GetProperty("id").GetInt64()}/cancel", null);
    }

    [Fact]
    public async Task SeveralMachinesThatAllStartLeadToTheDashboard()
    {
        var (browser, api) = await factory.UserAsync("page-all");
        var mine = await factory.ReservedAsync(api, 2);

        var response = await PostFormAsync(browser, "/deployments/new", "#provision-form",
            ("machine", mine[0].ToString()), ("machine", mine[1].ToString()), ("profile", (await factory.LabInstallerIdAsync()).ToString()), ("hostname", "{name}"));

        Assert.StartsWith("/deployments?ok=", Target(response));
        var dashboard = await browser.GetPageAsync(Target(response));
        Assert.Contains("Started 2 deployments", dashboard.QuerySelector("#notice")!.TextContent);
        Assert.Equal(2, dashboard.QuerySelectorAll("#running-deployments tr[data-deployment-id]").Length);
        foreach (var row in dashboard.QuerySelectorAll("#running-deployments tr[data-deployment-id]"))
            await api.PostAsync($"/api/v1/deployments/{row.GetAttribute("data-deployment-id")}/cancel", null);
    }

    [Fact]
    public async Task TheDashboardShowsOperatorsEveryRunningDeploymentAndUsersOnlyTheirOwn()
    {
        var (owner, ownerApi) = await factory.UserAsync("board-owner");
        var (stranger, _) = await factory.UserAsync("board-stranger");
        var (op, _) = await factory.UserAsync("board-operator", Roles.Operator);
        var machineId = (await factory.ReservedAsync(ownerApi))[0];
        var started = await ownerApi.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId = await factory.LabInstallerIdAsync(), hostname = "board.lab" });
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await ProvisioningFactory.WaitForStepAsync(ownerApi, id, "WaitForScriptFetch");

        var operatorBoard = await op.GetPageAsync("/deployments");
        var ownerBoard = await owner.GetPageAsync("/deployments");
        var strangerBoard = await stranger.GetPageAsync("/deployments");
        var fragment = BrowserSession.Parse(await op.GetStringAsync("/fragments/deployments"));

        var row = operatorBoard.QuerySelector($"#running-deployments tr[data-deployment-id='{id}']")!;
        Assert.Equal("WaitForScriptFetch", row.GetAttribute("data-step"));
        Assert.Contains("Wait for the iPXE script fetch", row.TextContent);
        Assert.Contains("board-owner@test.local", row.TextContent);
        Assert.Equal("deployments", operatorBoard.QuerySelector("#deployment-board")!.GetAttribute("data-live-topic"));
        Assert.NotNull(fragment.QuerySelector($"#running-deployments tr[data-deployment-id='{id}']"));
        Assert.NotNull(ownerBoard.QuerySelector($"#running-deployments tr[data-deployment-id='{id}']"));
        Assert.Null(strangerBoard.QuerySelector($"[data-deployment-id='{id}']"));
        Assert.NotNull(strangerBoard.QuerySelector("a[data-nav=deployments]"));

        // The stranger gets "no such deployment" from the page, the fragment and the cancel form alike.
        var page = await stranger.GetAsync($"/deployments/{id}");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var missing = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("board.lab", missing);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/fragments/deployments/{id}")).StatusCode);
        var token = strangerBoard.QuerySelector("meta[name=antiforgery-token]")!.GetAttribute("content")!;
        var cancel = await stranger.PostAsync($"/deployments/{id}/cancel", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Contains("error=", cancel.Headers.Location!.OriginalString);
        Assert.Equal("Active", (await factory.DeploymentAsync(id)).State.ToString());

        // A failure shows on the dashboard with its reason, and Retry appears on the timeline.
        var deployment = await factory.DeploymentAsync(id);
        await factory.CreateClient().PostAsync($"/netboot/events/{deployment.Token}",
            new StringContent("""{"phase":"failed","message":"kickstart: no <disk> & no network"}""", System.Text.Encoding.UTF8, "application/json"));
        var failedRow = (await op.GetPageAsync("/deployments")).QuerySelector($"#failed-deployments tr[data-deployment-id='{id}']")!;
        Assert.Equal("kickstart: no <disk> & no network", failedRow.QuerySelector(".failure-reason")!.TextContent);
        var timeline = await owner.GetPageAsync($"/deployments/{id}");
        Assert.Equal("Failed", timeline.QuerySelector("#deployment-state")!.GetAttribute("data-state"));
        Assert.Contains("kickstart: no <disk> & no network", timeline.QuerySelector("#failure-reason")!.TextContent);
        Assert.NotNull(timeline.QuerySelector("#retry-deployment"));

        var retry = await PostFormAsync(owner, $"/deployments/{id}", "form:has(#retry-deployment)");
        Assert.Matches(@"^/deployments/\d+\?ok=", Target(retry));
        Assert.DoesNotMatch($@"^/deployments/{id}\?", Target(retry));
        var retried = await owner.GetPageAsync(Target(retry));
        Assert.Equal("Active", retried.QuerySelector("#deployment-state")!.GetAttribute("data-state"));
        await PostFormAsync(owner, Target(retry), "form:has(#cancel-deployment)");
    }
}
