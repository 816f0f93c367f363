using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>The admin pages: profiles, templates with versions and preview, sightings linked to machines.</summary>
public sealed class NetbootAdminTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TheProfilesPageListsTheStarterProfilesAndAnEditIsSaved()
    {
        var browser = await factory.SignedInAsync();
        var list = await browser.GetPageAsync("/admin/os-profiles");
        Assert.Equal(4, list.QuerySelectorAll("#profiles tbody tr").Length);
        var id = await factory.WithDbAsync(db => db.OsProfiles.Where(p => p.Name == "Lab installer").Select(p => p.Id).SingleAsync());

        var saved = await browser.SubmitAsync($"/admin/os-profiles/{id}", "form.card", new Dictionary<string, string>
        {
            ["Input.Name"] = "Lab installer", ["Input.Kind"] = "Generic", ["Input.TemplateName"] = "lab-installer",
            ["Input.KernelUrl"] = "/boot-files/lab-installer/vmlinuz", ["Input.InitrdUrls"] = "/boot-files/lab-installer/initrd.img",
            ["Input.KernelArgs"] = "console=ttyS0 panic=10 quiet", ["Input.Parameters"] = "install_seconds=1\nextra=yes",
            ["Input.RestartAfterInstall"] = "true",
        });

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var profile = await factory.WithDbAsync(db => db.OsProfiles.SingleAsync(p => p.Id == id));
        Assert.Equal("console=ttyS0 panic=10 quiet", profile.KernelArgs);
        Assert.Equal("yes", profile.DefaultParameters["extra"]);
        Assert.True(profile.RestartAfterInstall);
        var edit = await browser.GetPageAsync($"/admin/os-profiles/{id}");
        Assert.Equal("Lab installer", edit.QuerySelector("#name")!.GetAttribute("value"));
        Assert.Equal("console=ttyS0 panic=10 quiet", edit.QuerySelector("#args")!.GetAttribute("value"));
        Assert.True(edit.QuerySelector("#restart-after-install")!.HasAttribute("checked"), edit.QuerySelector("#restart-after-install")!.OuterHtml);
    }

    [Fact]
    public async Task ThePreviewShowsAnUnknownVariableAsAnErrorAndEverySaveIsANewVersion()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var browser = await factory.SignedInAsync();
        const string url = "/admin/templates/snippet/kickstart-network";
        var form = new Dictionary<string, string> { ["Input.MachineId"] = machineId.ToString(), ["Input.Action"] = "preview" };

        var bad = BrowserSession.Parse(await (await browser.SubmitAsync(url, "form:has(#template-text)", new Dictionary<string, string>(form) { ["Input.Text"] = "network --hostname={{deployment.hostnme}}" })).Content.ReadAsStringAsync());
        var good = BrowserSession.Parse(await (await browser.SubmitAsync(url, "form:has(#template-text)", new Dictionary<string, string>(form) { ["Input.Text"] = "network --device={{machine.mac}}" })).Content.ReadAsStringAsync());
        await browser.SubmitAsync(url, "form:has(#template-text)", new Dictionary<string, string>(form) { ["Input.Text"] = "network --bootproto=dhcp # v1", ["Input.Action"] = "save" });
        var second = await browser.SubmitAsync(url, "form:has(#template-text)", new Dictionary<string, string>(form) { ["Input.Text"] = "network --bootproto=dhcp # v2", ["Input.Action"] = "save" });

        Assert.Contains("unknown variable 'deployment.hostnme'", bad.QuerySelector("#preview-error")!.TextContent);
        Assert.Equal($"network --device={mac}", good.QuerySelector("#preview-output")!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        var versions = await factory.WithDbAsync(db => db.TemplateVersions
            .Where(v => db.Templates.Any(t => t.Id == v.TemplateId && t.Kind == TemplateKind.Snippet && t.Name == "kickstart-network"))
            .OrderBy(v => v.Number).Select(v => v.Text).ToListAsync());
        Assert.Equal(["network --bootproto=dhcp # v1", "network --bootproto=dhcp # v2"], versions);
        var page = await browser.GetPageAsync(url);
        Assert.True("network --bootproto=dhcp # v2" == page.QuerySelector("#template-text")!.TextContent, page.QuerySelector("#template-text")!.OuterHtml);
    }

    [Fact]
    public async Task ASightingLinkedToAMachineResolvesToThatMachineFromThenOn()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (addOnMac, otherUuid, _) = NewIdentity();
        var client = factory.CreateClient();
        var unknown = $"/netboot/machine.ipxe?mac={addOnMac}&uuid={otherUuid}";
        Assert.Contains("unknown machine", await client.GetStringAsync(unknown));
        await factory.FlushSightingsAsync();
        var sightingId = await factory.WithDbAsync(db => db.NetbootSightings.Where(s => s.Mac == addOnMac).Select(s => s.Id).SingleAsync());
        var browser = await factory.SignedInAsync();

        var linked = await browser.SubmitAsync("/admin/sightings", $"tr[data-sighting='mac:{addOnMac}'] form", new Dictionary<string, string> { ["machineId"] = machineId.ToString() });

        Assert.Equal(HttpStatusCode.Redirect, linked.StatusCode);
        Assert.Contains($"machine {machineId} is Available", await client.GetStringAsync(unknown));
        Assert.Equal(machineId, await factory.WithDbAsync(db => db.NetbootSightings.Where(s => s.Id == sightingId).Select(s => s.MachineId).SingleAsync()));
    }

    [Fact]
    public async Task NetbootAdminPagesAreForAdminsOnly()
    {
        await factory.CreateUserAsync("plain-netboot@test.local", "Plain-Passw0rd!", "User");
        var user = await factory.SignedInAsync("plain-netboot@test.local", "Plain-Passw0rd!");

        foreach (var page in new[] { "/admin/os-profiles", "/admin/templates", "/admin/sightings" })
            Assert.NotEqual(HttpStatusCode.OK, (await user.GetAsync(page)).StatusCode);
    }
}
