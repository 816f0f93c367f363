using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Provisioning;
using Portal.Core.Users;
using Portal.Netboot;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>The admin pages: profiles, templates with versions and preview, sightings linked to machines.</summary>
public sealed class NetbootAdminTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    private async Task SignInAsAdminAsync() => await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);

    private string Path => new Uri(Services.GetRequiredService<NavigationManager>().Uri).AbsolutePath;

    private static void Select<T>(IRenderedComponent<IComponent> page, string label, T value)
    {
        var select = page.FindComponents<MudSelect<T>>().Single(s => s.Instance.Label == label);
        page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value)).Wait();
    }

    /// <summary>Types into the editor and waits until the page has rendered it, so the next click hits the current render.</summary>
    private static void Type(IRenderedComponent<TemplateEditPage> page, string text)
    {
        Fresh.Dispatch(() => page.Find("#template-text").Change(text));
        page.WaitForAssertion(() => Assert.Equal(text, page.Find("#template-text").TextContent));
    }

    /// <summary>
    /// Clicks a sighting row's button. The page is live (a sighting or machine change re-renders it), so a
    /// click that lands on a render already replaced is tried again on the next one.
    /// </summary>
    private static void ClickInRow(IRenderedComponent<SightingsPage> page, string key, string text) =>
        page.WaitForAssertion(() => page.Find($"tr[data-sighting='{key}']").QuerySelectorAll("button").Single(b => b.TextContent.Trim() == text).Click());

    [Fact]
    public async Task TheProfilesPageListsTheStarterProfilesAndAnEditIsSaved()
    {
        await SignInAsAdminAsync();
        var list = RenderInteractive<OsProfilesPage>();
        list.WaitForAssertion(() => Assert.Equal(4, list.FindAll("#profiles tbody tr[data-profile]").Count), TimeSpan.FromSeconds(15));
        var id = await Portal.WithDbAsync(db => db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync());

        var edit = Render<OsProfileEditPage>(p => p.Add(x => x.Id, id)); // the providers are there already
        edit.WaitForAssertion(() => Assert.Equal("Lab installer", edit.Find("#name").GetAttribute("value")));
        Fresh.Dispatch(() => edit.Find("#args").Change("console=ttyS0 panic=10 quiet"));
        Fresh.Dispatch(() => edit.Find("#params").Change("install_seconds=1\nextra=yes"));
        Fresh.Dispatch(() => edit.Find("#restart-after-install input[type=checkbox], input#restart-after-install").Change(true));
        Assert.Contains("installers that change address mid-install", edit.Find("#token-bound-help").TextContent);
        Fresh.Dispatch(() => edit.Find("#token-bound-to-address input[type=checkbox], input#token-bound-to-address").Change(false));
        Assert.True(edit.Find("#disk-first-boot-order input[type=checkbox], input#disk-first-boot-order").HasAttribute("checked")); // on by default
        Fresh.Dispatch(() => edit.Find("#disk-first-boot-order input[type=checkbox], input#disk-first-boot-order").Change(false));
        Fresh.Dispatch(() => edit.Find("form").Submit());

        edit.WaitForAssertion(() => Assert.Equal("/admin/os-profiles", Path));
        Assert.Contains("Saved Lab installer.", Snackbars);
        var profile = await Portal.WithDbAsync(db => db.OsProfiles.SingleAsync(p => p.Id == id));
        Assert.Equal("console=ttyS0 panic=10 quiet", profile.KernelArgs);
        Assert.Equal("yes", profile.DefaultParameters["extra"]);
        Assert.True(profile.RestartAfterInstall);
        Assert.False(profile.TokenBoundToAddress);
        Assert.False(profile.SetsDiskFirstBootOrder);
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "os-profile.updated" && e.TargetId == id.ToString())));
        var again = Render<OsProfileEditPage>(p => p.Add(x => x.Id, id));
        again.WaitForAssertion(() => Assert.Equal("console=ttyS0 panic=10 quiet", again.Find("#args").GetAttribute("value")));
    }

    [Fact]
    public async Task TheProfileEditorShowsWhatIsWrongNextToTheField()
    {
        await SignInAsAdminAsync();
        var edit = RenderInteractive<OsProfileEditPage>();
        Fresh.Dispatch(() => edit.WaitForElement("#name", TimeSpan.FromSeconds(15)).Change("Lab installer")); // taken by a starter profile
        Fresh.Dispatch(() => edit.Find("#kernel").Change("/boot-files/x/vmlinuz"));
        Fresh.Dispatch(() => edit.Find("#initrds").Change("/boot-files/x/initrd.img"));
        Fresh.Dispatch(() => edit.Find("#template").Change("lab-installer"));
        Fresh.Dispatch(() => edit.Find("#params").Change("not a parameter"));
        Fresh.Dispatch(() => edit.Find("form").Submit());

        edit.WaitForAssertion(() => Assert.Contains("\"not a parameter\" is not name=value", edit.Markup));
        Fresh.Dispatch(() => edit.Find("#params").Change("a=1"));
        Fresh.Dispatch(() => edit.Find("form").Submit());

        edit.WaitForAssertion(() => Assert.Contains("A profile called \"Lab installer\" exists already.", edit.Markup));
        Assert.Equal(1, await Portal.WithDbAsync(db => db.OsProfiles.CountAsync(p => p.Name == "Lab installer")));
        Assert.Equal("/", Path); // still on the editor, nothing saved
    }

    [Fact]
    public async Task ThePreviewShowsAnUnknownVariableAsAnErrorAndRendersForTheChosenMachine()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await Portal.CreateMachineAsync(mac, uuid, serial);
        await SignInAsAdminAsync();
        var page = RenderInteractive<TemplateEditPage>(p => p.Add(x => x.Kind, "snippet").Add(x => x.Name, "kickstart-network"));
        page.WaitForElement("#template-text", TimeSpan.FromSeconds(15));
        Select<long>(page, "Preview for machine", machineId);

        Type(page, "network --hostname={{deployment.hostnme}}");
        Fresh.Dispatch(() => page.Find("#preview").Click());
        // The first preview compiles the template set: more than bUnit's default second on a busy machine.
        page.WaitForAssertion(() => Assert.Contains("unknown variable 'deployment.hostnme'", page.Find("#preview-error").TextContent), TimeSpan.FromSeconds(10));

        Type(page, "network --device={{machine.mac}}");
        Fresh.Dispatch(() => page.Find("#preview").Click());
        page.WaitForAssertion(() => Assert.Equal($"network --device={mac}", page.Find("#preview-output").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("#preview-error"));
    }

    [Fact]
    public async Task EverySaveIsANewVersionAndAnOldOneCanBeOpenedAgain()
    {
        await SignInAsAdminAsync();
        var page = RenderInteractive<TemplateEditPage>(p => p.Add(x => x.Kind, "snippet").Add(x => x.Name, "kickstart-network"));
        page.WaitForElement("#template-text", TimeSpan.FromSeconds(15));
        foreach (var (text, version) in new[] { ("network --bootproto=dhcp # v1", 1), ("network --bootproto=dhcp # v2", 2) })
        {
            Type(page, text);
            Fresh.Dispatch(() => page.Find("#save-template").Click());
            page.WaitForAssertion(() => Assert.Contains($"Saved as version {version}.", Snackbars));
        }

        var versions = await Portal.WithDbAsync(db => db.TemplateVersions
            .Where(v => db.Templates.Any(t => t.Id == v.TemplateId && t.Kind == TemplateKind.Snippet && t.Name == "kickstart-network"))
            .OrderBy(v => v.Number).Select(v => v.Text).ToListAsync());
        Assert.Equal(["network --bootproto=dhcp # v1", "network --bootproto=dhcp # v2"], versions);
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "template.saved" && e.Summary == "Snippet kickstart-network saved as version 2")));

        var reopened = Render<TemplateEditPage>(p => p.Add(x => x.Kind, "snippet").Add(x => x.Name, "kickstart-network"));
        reopened.WaitForAssertion(() => Assert.Equal("network --bootproto=dhcp # v2", reopened.Find("#template-text").TextContent));
        Fresh.Dispatch(() => reopened.Find("#versions [data-version='1']").Click());
        reopened.WaitForAssertion(() => Assert.Equal("network --bootproto=dhcp # v1", reopened.Find("#template-text").TextContent));
    }

    [Fact]
    public async Task TheTemplatesPageListsBuiltInsAndOpensTheEditorForANewName()
    {
        await SignInAsAdminAsync();
        var page = RenderInteractive<TemplatesPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("#snippets [data-template='kickstart-network']")));

        Fresh.Dispatch(() => page.Find("#new-name").Change("bad name!"));
        Fresh.Dispatch(() => page.Find("#new-template").Click());
        page.WaitForAssertion(() => Assert.Contains("letters, digits, '-' and '_'", page.Markup));
        Assert.Equal("/", Path);

        Fresh.Dispatch(() => page.Find("#new-name").Change("my-template"));
        Fresh.Dispatch(() => page.Find("#new-template").Click());
        page.WaitForAssertion(() => Assert.Equal("/admin/templates/template/my-template", Path));
    }

    [Fact]
    public async Task ANewSightingAppearsLiveAndOnceLinkedResolvesToThatMachine()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await Portal.CreateMachineAsync(mac, uuid, serial);
        var (addOnMac, otherUuid, _) = NewIdentity();
        await SignInAsAdminAsync();
        var page = RenderInteractive<SightingsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("h4")));

        var client = Portal.CreateClient();
        var unknown = $"/netboot/machine.ipxe?mac={addOnMac}&uuid={otherUuid}";
        Assert.Contains("unknown machine", await client.GetStringAsync(unknown));
        await Portal.FlushSightingsAsync();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll($"tr[data-sighting='mac:{addOnMac}']")), TimeSpan.FromSeconds(10));

        var select = page.FindComponents<MudSelect<long?>>().Single(s => s.Instance.UserAttributes["data-sighting-select"]?.ToString() == $"mac:{addOnMac}");
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(machineId));
        ClickInRow(page, $"mac:{addOnMac}", "Link");

        page.WaitForAssertion(() => Assert.Contains("Unlink", page.Find($"tr[data-sighting='mac:{addOnMac}']").TextContent));
        Assert.Contains($"machine {machineId} is Available", await client.GetStringAsync(unknown));
        Assert.True(await Portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "sighting.linked" && e.TargetId == machineId.ToString())));

        ClickInRow(page, $"mac:{addOnMac}", "Unlink");
        page.WaitForAssertion(() => Assert.Contains("Link", page.Find($"tr[data-sighting='mac:{addOnMac}']").TextContent));
        Assert.Null(await Portal.WithDbAsync(db => db.NetbootSightings.Where(s => s.Mac == addOnMac).Select(s => s.MachineId).SingleAsync()));
    }

    [Fact]
    public async Task ASightingOfFirmwareKnownOnlyBySerialSaysWhyItWasNotTrusted()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await Portal.CreateMachineAsync(mac, uuid, serial);
        var (strangerMac, strangerUuid, _) = NewIdentity();
        var (unknownMac, unknownUuid, unknownSerial) = NewIdentity();
        await SignInAsAdminAsync();
        var page = RenderInteractive<SightingsPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("h4")));

        var client = Portal.CreateClient();
        await client.GetStringAsync(ScriptUrl(strangerMac, strangerUuid, serial));
        await client.GetStringAsync(ScriptUrl(unknownMac, unknownUuid, unknownSerial));
        await Portal.FlushSightingsAsync();

        page.WaitForAssertion(() =>
        {
            Assert.Equal($"serial {serial} matches machine {machineId}, but neither MAC nor UUID does: not trusted",
                page.Find($"tr[data-sighting='mac:{strangerMac}'] [data-sighting-reason]").TextContent);
            Assert.Equal("no machine has this MAC or UUID", page.Find($"tr[data-sighting='mac:{unknownMac}'] [data-sighting-reason]").TextContent);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NetbootAdminPagesAreForAdminsOnly()
    {
        await Portal.CreateUserAsync("plain-netboot@test.local", "Plain-Passw0rd!", "User");
        var user = await Portal.SignedInAsync("plain-netboot@test.local", "Plain-Passw0rd!");

        foreach (var page in new[] { "/admin/os-profiles", "/admin/os-profiles/new", "/admin/templates", "/admin/templates/snippet/kickstart-network", "/admin/sightings" })
        {
            var response = await user.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task ANonAdminCannotLinkASightingEvenWithThePageOpen()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await Portal.CreateMachineAsync(mac, uuid, serial);
        var (addOnMac, otherUuid, _) = NewIdentity();
        await Portal.CreateClient().GetStringAsync($"/netboot/machine.ipxe?mac={addOnMac}&uuid={otherUuid}");
        await Portal.FlushSightingsAsync();
        await SignInAsAdminAsync();
        var page = RenderInteractive<SightingsPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll($"tr[data-sighting='mac:{addOnMac}']")));
        var select = page.FindComponents<MudSelect<long?>>().Single(s => s.Instance.UserAttributes["data-sighting-select"]?.ToString() == $"mac:{addOnMac}");
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(machineId));

        SignIn("someone-else", "someone@test.local", Roles.Operator);
        ClickInRow(page, $"mac:{addOnMac}", "Link");

        page.WaitForAssertion(() => Assert.Contains("This needs the Admin role.", Snackbars));
        Assert.Null(await Portal.WithDbAsync(db => db.NetbootSightings.Where(s => s.Mac == addOnMac).Select(s => s.MachineId).SingleAsync()));
    }
}
