using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>The per-machine script by state, as whole scripts, against the real host and database.</summary>
public sealed class MachineScriptTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string LocalDiskTail = """
        echo Portal: booting from local disk
        exit

        """;

    [Fact]
    public async Task BootstrapChainsToTheMachineScriptWithEveryIdentitySetting()
    {
        var response = await factory.CreateClient().GetAsync("/boot.ipxe");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""
            #!ipxe
            # Portal bootstrap: tell the portal who this machine is and run the script it answers with.
            chain --replace --autofree http://localhost/netboot/machine.ipxe?mac=${net0/mac:hexhyp}&uuid=${uuid}&serial=${serial:uristring}&buildarch=${buildarch:uristring}&platform=${platform:uristring} || goto failed
            exit
            :failed
            echo Portal: could not fetch this machine's boot script, trying the next boot device
            exit 1

            """, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownMachineBootsItsLocalDiskAndIsRecordedAsASighting()
    {
        var (mac, uuid, serial) = NewIdentity();
        var client = factory.CreateClient();

        var first = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        await client.GetStringAsync(ScriptUrl(mac, uuid, serial, "efi"));
        await factory.FlushSightingsAsync();

        Assert.Equal("#!ipxe\n# Portal: boot from local disk (unknown machine)\n" + LocalDiskTail, first);
        var sighting = await factory.WithDbAsync(db => db.NetbootSightings.SingleAsync(s => s.Key == "mac:" + mac));
        Assert.Equal((mac, uuid, serial, 2L, "efi", (long?)null), (sighting.Mac, sighting.Uuid!.Value, sighting.Serial, sighting.Count, sighting.Platform, sighting.MachineId));
    }

    [Fact]
    public async Task AvailableMachineBootsItsLocalDiskAndIsNotASighting()
    {
        var (mac, uuid, serial) = NewIdentity();
        var id = await factory.CreateMachineAsync(mac, uuid, serial);

        var script = await factory.CreateClient().GetStringAsync(ScriptUrl(mac, uuid, serial));
        await factory.FlushSightingsAsync();

        Assert.Equal($"#!ipxe\n# Portal: boot from local disk (machine {id} is Available, not being provisioned)\n" + LocalDiskTail, script);
        Assert.False(await factory.WithDbAsync(db => db.NetbootSightings.AnyAsync(s => s.Mac == mac)));
    }

    [Fact]
    public async Task ProvisioningMachineGetsItsInstallerRenderedOnceAndTheSameBytesAfterwards()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId);
        var client = factory.CreateClient();

        var first = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        var second = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));

        Assert.Equal($"""
            #!ipxe
            # Portal installer: deployment {deploymentId}, machine {machineId} ({serial}) as web-01
            # Profile: Lab installer; firmware: BIOS
            kernel --name vmlinuz http://localhost/netboot/files/{token}/lab-installer/vmlinuz console=ttyS0 panic=10 portal.ks=http://localhost/netboot/config/{token} portal.events=http://localhost/netboot/events/{token} || goto failed
            initrd --name initrd.img http://localhost/netboot/files/{token}/lab-installer/initrd.img || goto failed
            boot || goto failed
            :failed
            echo Portal: could not start the installer for deployment {deploymentId}, trying the next boot device
            exit 1

            """, first);
        Assert.Equal(first, second);
        var deployment = await factory.DeploymentAsync(deploymentId);
        // Kept as served, except that the token is only a placeholder there (the database holds it hashed and encrypted).
        Assert.Equal(first.Replace(token, Deployment.TokenPlaceholder), deployment.IpxeScript);
        Assert.Equal(first, deployment.ServedScript(token));
        Assert.Equal(["step started", "netboot rendered", "netboot script", "netboot script"], await factory.TimelineAsync(deploymentId));
    }

    [Fact]
    public async Task UefiFirmwareGetsTheInitrdByNameOnTheKernelLine()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial, bootMode: "UEFI");
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId);

        var script = await factory.CreateClient().GetStringAsync(ScriptUrl(mac, uuid, serial, "efi"));

        Assert.Equal($"""
            #!ipxe
            # Portal installer: deployment {deploymentId}, machine {machineId} ({serial}) as web-01
            # Profile: Lab installer; firmware: UEFI
            kernel --name vmlinuz http://localhost/netboot/files/{token}/lab-installer/vmlinuz initrd=initrd.img console=ttyS0 panic=10 portal.ks=http://localhost/netboot/config/{token} portal.events=http://localhost/netboot/events/{token} || goto failed
            initrd --name initrd.img http://localhost/netboot/files/{token}/lab-installer/initrd.img || goto failed
            boot || goto failed
            :failed
            echo Portal: could not start the installer for deployment {deploymentId}, trying the next boot device
            exit 1

            """, script);
    }

    [Fact]
    public async Task MachineIsFoundByUuidWhenItsMacIsNotKnown()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (otherMac, _, _) = NewIdentity();

        var byUuid = await factory.CreateClient().GetStringAsync(ScriptUrl(otherMac, uuid, serial));

        Assert.Contains($"machine {machineId} is Available", byUuid);
    }

    [Fact]
    public async Task AMachineKnownOnlyBySerialGetsLocalBootAndASightingThatSaysWhy()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (otherMac, otherUuid, _) = NewIdentity();

        var script = await factory.CreateClient().GetStringAsync(ScriptUrl(otherMac, otherUuid, serial));
        await factory.FlushSightingsAsync();

        var reason = $"serial {serial} matches machine {machineId}, but neither MAC nor UUID does: not trusted";
        Assert.Equal($"#!ipxe\n# Portal: boot from local disk ({reason})\n" + LocalDiskTail, script);
        var sighting = await factory.WithDbAsync(db => db.NetbootSightings.SingleAsync(s => s.Key == "mac:" + otherMac));
        Assert.Equal((otherUuid, serial, reason, (long?)null), (sighting.Uuid!.Value, sighting.Serial, sighting.Reason, sighting.MachineId));
    }

    [Fact]
    public async Task AMachineBeingProvisionedIsNotGivenItsInstallerWhenOnlyItsSerialMatches()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, _) = await factory.StartDeploymentAsync(machineId);
        var (otherMac, _, _) = NewIdentity();

        var script = await factory.CreateClient().GetStringAsync($"/netboot/machine.ipxe?mac={otherMac}&serial={serial}&buildarch=x86_64&platform=pcbios");

        Assert.Contains($"serial {serial} matches machine {machineId}, but neither MAC nor UUID does: not trusted", script);
        Assert.DoesNotContain("Portal installer", script);
        Assert.DoesNotContain("netboot script", await factory.TimelineAsync(deploymentId));
    }

    [Fact]
    public async Task DeployedMachineBootsItsLocalDiskEvenWithItsOldTokenKnown()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (deploymentId, token) = await factory.StartDeploymentAsync(machineId);
        var client = factory.CreateClient();
        await client.GetStringAsync(ScriptUrl(mac, uuid, serial));
        await client.InstallerStartsAsync(token);
        (await client.PostEventAsync(token, """{"phase":"done","message":"installed"}""")).EnsureSuccessStatusCode();

        var script = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));

        Assert.Equal($"#!ipxe\n# Portal: boot from local disk (machine {machineId} is Deployed, not being provisioned)\n" + LocalDiskTail, script);
        var deployment = await factory.DeploymentAsync(deploymentId);
        Assert.Equal((DeploymentState.Finished, MachineState.Deployed), (deployment.State, deployment.Machine!.State));
    }

    [Fact]
    public async Task ATemplateWithAnUnknownVariableFailsTheDeploymentInsteadOfServingHalfAScript()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        await factory.WithDbAsync(async db =>
        {
            var lab = await db.OsProfiles.SingleAsync(p => p.Name == "Lab installer");
            db.OsProfiles.Add(OsProfile.Create("Broken " + serial, lab.InstallerKind, lab.KernelUrl, lab.InitrdUrls,
                "console=ttyS0 repo={{deployment.params.no_such_thing}}", lab.TemplateName, lab.DefaultParameters, false, DateTimeOffset.UtcNow));
            return await db.SaveChangesAsync();
        });
        var (deploymentId, _) = await factory.StartDeploymentAsync(machineId, profileName: "Broken " + serial);

        var response = await factory.CreateClient().GetAsync(ScriptUrl(mac, uuid, serial));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("#!ipxe", await response.Content.ReadAsStringAsync());
        var deployment = await factory.DeploymentAsync(deploymentId);
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Contains("unknown variable 'deployment.params.no_such_thing'", deployment.FailureReason);
        Assert.Null(deployment.IpxeScript);
        Assert.Equal(["step started", "netboot render-failed"], await factory.TimelineAsync(deploymentId));
    }

    [Fact]
    public async Task StarterProfilesAreSeededOnce()
    {
        var names = await factory.WithDbAsync(db => db.OsProfiles.Where(p => p.BuiltIn).Select(p => p.Name).ToListAsync());

        Assert.Equal(Portal.Netboot.Templates.BuiltinProfiles.All.Select(p => p.Name).Order(), names.Order());
    }
}
