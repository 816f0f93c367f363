using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Discovery;
using Portal.Tests.Support;

namespace Portal.Tests.Discovery;

/// <summary>The BMC list's "Trust new certificate" action (bUnit) against the real Portal and a re-certified lab BMC.</summary>
public sealed class CertificateTrustPageTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnAdminComparesBothThumbprintsConfirmsAndTheBmcIsReachableAgain()
    {
        await using var lab = await RecertifiedLab.StartAsync(Portal, "127.0.35.1");
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<BmcList>();
        var row = $"tr[data-bmc-mac='{MacAddress.Parse(lab.Fleet.Bmcs[0].Mac)}']";

        page.WaitForAssertion(() =>
        {
            Assert.Equal(lab.Pinned, page.Find($"{row} [data-pinned-sha256]").TextContent);
            Assert.Equal(lab.Presented, page.Find($"{row} [data-presented-sha256]").TextContent);
        });
        Fresh.Dispatch(() => page.Find($"{row} button[data-trust-certificate]").Click());
        var dialog = Overlays.WaitForElement(".mud-dialog");
        Assert.Contains(lab.Presented, dialog.TextContent);
        Fresh.Dispatch(() => Overlays.Find("#trust-certificate-confirm").Click());

        page.WaitForAssertion(() => Assert.Equal("Reachable", page.Find(row).GetAttribute("data-status")), TimeSpan.FromSeconds(30));
        // The list reloads live during the rediscovery; the snackbar comes when the action returns.
        Overlays.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Contains("it is Reachable again")));
        Assert.Empty(page.FindAll($"{row} button[data-trust-certificate]"));
        using var scope = Portal.Services.CreateScope();
        var bmc = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Bmcs.AsNoTracking().SingleAsync(b => b.Id == lab.BmcId);
        Assert.Equal(lab.Presented, bmc.PinnedCertificateSha256);
    }

    [Fact]
    public async Task CancellingTheDialogPinsNothing()
    {
        await using var lab = await RecertifiedLab.StartAsync(Portal, "127.0.35.2");
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<BmcList>();
        var row = $"tr[data-bmc-mac='{MacAddress.Parse(lab.Fleet.Bmcs[0].Mac)}']";

        Fresh.Dispatch(() => page.WaitForElement($"{row} button[data-trust-certificate]").Click());
        Fresh.Dispatch(() => Overlays.WaitForElements(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel").Click());

        Overlays.WaitForAssertion(() => Assert.Empty(Overlays.FindAll(".mud-dialog")));
        using var scope = Portal.Services.CreateScope();
        var bmc = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Bmcs.AsNoTracking().SingleAsync(b => b.Id == lab.BmcId);
        Assert.Equal(BmcStatus.TlsCertificateChanged, bmc.Status);
        Assert.Equal(lab.Pinned, bmc.PinnedCertificateSha256);
    }

    [Fact]
    public async Task OnlyAdminsSeeTheAction()
    {
        await using var lab = await RecertifiedLab.StartAsync(Portal, "127.0.35.3");
        SignIn("op-bmc-list", "op-bmc-list@test.local", Roles.Operator);
        var page = RenderInteractive<BmcList>();
        var row = $"tr[data-bmc-mac='{MacAddress.Parse(lab.Fleet.Bmcs[0].Mac)}']";

        page.WaitForAssertion(() => Assert.Equal(lab.Presented, page.Find($"{row} [data-presented-sha256]").TextContent));
        Assert.Empty(page.FindAll($"{row} button[data-trust-certificate]"));
    }
}
