using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Runs;
using Portal.Core.Users;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Redfish;
using Portal.Core.Reservations;
using Portal.Lab;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.EndToEnd.Provisioning;

/// <summary>
/// The Portal serving the lab installer from its boot files, with quick polling so the timeline
/// follows the machine closely. Everything else is as in production.
/// </summary>
public class NetbootingPortal : PortalServer, IAsyncLifetime
{
    private readonly string bootFiles = Directory.CreateTempSubdirectory("portal-e2e-boot-files-").FullName;

    public NetbootingPortal()
    {
        // Built by the same script people use (cached after the first run); served under /boot-files/lab-installer.
        var installer = LabInstallerBuild.EnsureAsync().GetAwaiter().GetResult();
        var target = Directory.CreateDirectory(Path.Combine(bootFiles, "lab-installer")).FullName;
        foreach (var file in new[] { "vmlinuz", "initrd.img" }) File.Copy(Path.Combine(installer, file), Path.Combine(target, file));
        DiskImage = Path.Combine(installer, "disk.img");
    }

    /// <summary>The lab VMs' disk: its "installed system" says on the console that it booted from disk.</summary>
    public string DiskImage { get; }

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Netboot:BootFilesDirectory"] = bootFiles,
        ["Provisioning:PollInterval"] = "00:00:00.250", ["Provisioning:QueuePollInterval"] = "00:00:00.250",
        ["Power:PollInterval"] = "00:00:00.200",
    };

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(bootFiles, true);
    }
}

/// <summary>
/// A user holding a VM-backed lab machine provisions it with the lab installer from the provision
/// page and watches the timeline reach Deployed live: QEMU is powered on through the lab's Redfish
/// BMC, PXE-boots Portal's iPXE script, the lab installer fetches its config and phones home. Then
/// the user releases it from the timeline and the release run powers it off.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ProvisioningFlowTests(NetbootingPortal portal, Browser browser, ITestOutputHelper output)
    : IClassFixture<NetbootingPortal>, IClassFixture<Browser>
{
    private const string UserEmail = "builder@e2e.local";
    private const string UserPassword = "E2e-Builder-Passw0rd";

    [QemuFact]
    public async Task UserProvisionsAHeldMachineAndWatchesTheTimelineReachDeployedThenReleasesIt()
    {
        var port = new Uri(portal.BaseUrl).Port;
        var labDirectory = Directory.CreateTempSubdirectory("portal-e2e-vm-lab-").FullName;
        await using var lab = await LabFleet.StartAsync(new LabOptions
        {
            BmcCount = 1, Profiles = ["dell"], VmBackedCount = 1, FirstAddress = "127.0.160.1", OutputDirectory = labDirectory, Seed = 9,
            NetbootUrl = $"http://10.0.2.2:{port}/boot.ipxe", VmDiskImage = portal.DiskImage,
        });
        var system = lab.Bmcs[0].Systems[0];
        try
        {
            // Reserving is the catalogue's flow (tested there); here the user already holds the machine.
            var machineId = await OnboardAndReserveAsync(lab);

            Assertions.SetDefaultExpectTimeout(60_000);
            var page = await browser.Instance.NewPageAsync();
            page.SetDefaultTimeout(30_000);
            await page.GotoAsync(portal.BaseUrl + "/account/login");
            await page.GetByLabel("Email").FillAsync(UserEmail);
            await page.GetByLabel("Password").FillAsync(UserPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.WaitForURLAsync(portal.BaseUrl + "/");

            // The provision page, as a machine's page links to it: the machine is ticked already.
            await page.GotoAsync($"{portal.BaseUrl}/deployments/new?machine={machineId}");
            await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "Machines" }).GetByRole(AriaRole.Checkbox)).ToBeCheckedAsync();
            await page.GetByLabel("OS profile").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Lab installer" }).ClickAsync();
            // No hostname yet: the form says so next to the field and starts nothing.
            await page.GetByRole(AriaRole.Button, new() { Name = "Provision" }).ClickAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-provision-form.png"), FullPage = true });
            await Assertions.Expect(page.GetByText("Give a hostname.")).ToBeVisibleAsync();
            await page.GetByLabel("Hostname pattern").FillAsync("e2e-node.lab");
            var clock = Stopwatch.StartNew();
            await page.GetByRole(AriaRole.Button, new() { Name = "Provision" }).ClickAsync();
            await page.WaitForURLAsync(new Regex(@"/deployments/\d+$"));
            await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
            await page.EvaluateAsync("window.__stillTheSamePage = true");

            // Every step arrives through the circuit: the page is never reloaded.
            var step = page.Locator("#deployment-step");
            var timeline = page.Locator("#timeline");
            await Assertions.Expect(step).ToHaveAttributeAsync("data-step", "WaitForScriptFetch", new() { Timeout = 60_000 });
            await Assertions.Expect(timeline.Locator("tr[data-kind=Installer][data-phase=pre]")).ToHaveCountAsync(1, new() { Timeout = 90_000 });
            await Assertions.Expect(step).ToHaveAttributeAsync("data-step", "Deployed", new() { Timeout = 90_000 });
            output.WriteLine($"click to Deployed: {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"));
            await Assertions.Expect(page.Locator("#deployment-state")).ToHaveAttributeAsync("data-state", "Finished");
            await Assertions.Expect(page.GetByRole(AriaRole.Progressbar).First).ToHaveAttributeAsync("aria-valuenow", "100");
            await Assertions.Expect(timeline.Locator("tr[data-kind=Netboot][data-phase=script]")).ToHaveCountAsync(1);
            await Assertions.Expect(timeline.Locator("tr[data-kind=Netboot][data-phase=config]")).ToHaveCountAsync(1);
            await Assertions.Expect(timeline.Locator("tr[data-kind=Installer][data-phase=done]")).ToHaveCountAsync(1);
            await Assertions.Expect(page.GetByLabel("iPXE script")).ToContainTextAsync("/netboot/files/[netboot-token]/lab-installer/vmlinuz");
            await Assertions.Expect(page.GetByLabel("iPXE script")).ToContainTextAsync("firmware: UEFI"); // the first lab VM boots OVMF
            await Assertions.Expect(page.GetByLabel("Installer config")).ToContainTextAsync("PORTAL_HOSTNAME='e2e-node.lab'");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-deployed.png"), FullPage = true });
            // Netbooted, then restarted by the run into the installed system on its disk.
            Assert.Equal(2, system.PowerOnCount);
            Assert.Equal("Hdd", system.LastBootSource);

            // Release from the timeline, after a confirmation: a release run powers it off and the machine is offered again.
            var deployedUrl = page.Url;
            await page.GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
            await page.WaitForURLAsync(url => url != deployedUrl);
            await Assertions.Expect(step).ToHaveAttributeAsync("data-step", "Released");
            Assert.Equal(LabPowerState.Off, system.PowerState);
            var machine = await portal.WithDbAsync(db => db.Machines.AsNoTracking().SingleAsync(m => m.Id == machineId));
            Assert.Equal(MachineState.Available, machine.State);
            Assert.False(machine.IsHeld);

            // The dashboard lists both runs as ended.
            await page.GetByRole(AriaRole.Link, new() { Name = "Deployments" }).First.ClickAsync();
            await Assertions.Expect(page.Locator("#ended-deployments tbody tr")).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator("#ended-deployments")).ToContainTextAsync("e2e-node.lab");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "portal-e2e-dashboard.png"), FullPage = true });
        }
        catch
        {
            // What the runs themselves say, next to what the page showed.
            var runs = await portal.WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Events).OrderBy(d => d.Id).ToListAsync());
            foreach (var run in runs)
            {
                var workflow = await portal.WithDbAsync(db => db.DeploymentWorkflows.AsNoTracking().SingleOrDefaultAsync(w => w.DeploymentId == run.Id));
                output.WriteLine($"deployment {run.Id} {run.Kind} {run.State}: step {workflow?.Step} attempt {workflow?.Attempt} {workflow?.LastError}");
                foreach (var e in run.Events.OrderBy(e => e.Id)) output.WriteLine($"  {e.At:HH:mm:ss.fff} {e.Kind} {e.Phase} {e.Message}");
            }
            output.WriteLine($"lab system power {system.PowerState}, power-ons {system.PowerOnCount}");
            if (system.VmLogPath is { } log && File.Exists(log))
                output.WriteLine("VM console:\n" + string.Concat(File.ReadLines(log).TakeLast(60).Select(l => l + "\n")));
            throw;
        }
        finally
        {
            await lab.DisposeAsync();
            Directory.Delete(labDirectory, true);
        }
    }

    private async Task<long> OnboardAndReserveAsync(LabFleet lab)
    {
        var machineId = await portal.OnboardAsync(lab.Bmcs[0]);
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = UserEmail, Email = UserEmail, EmailConfirmed = true, DisplayName = "Builder" };
        Assert.True((await users.CreateAsync(user, UserPassword)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, Roles.User)).Succeeded);
        var reserved = await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync([machineId], null, new Requester(user.Id, UserEmail, IsOperator: false));
        Assert.True(reserved.Succeeded, reserved.Message);
        return machineId;
    }
}
