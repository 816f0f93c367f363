using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Portal.Lab.Tests.Support;
using Xunit.Abstractions;

namespace Portal.Lab.Tests.Power;

public sealed class VmBootTests(ITestOutputHelper output)
{
    private const string Range = "127.0.31.1";

    [QemuFact]
    public async Task VmBackedMachineNetbootsFromAPxeOnceOverride()
    {
        // The "netboot server": records what iPXE asks for and serves a script that stops there.
        var fetched = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var netboot = builder.Build();
        netboot.MapGet("/boot.ipxe", (HttpContext ctx) =>
        {
            fetched.TrySetResult(ctx.Request.Path + ctx.Request.QueryString);
            return Results.Text("#!ipxe\necho lab test script reached\nsleep 30\n", "text/plain");
        });
        await netboot.StartAsync();
        var port = new Uri(netboot.Urls.First()).Port;

        await using var lab = await TestLab.StartAsync(Range, new LabOptions
        {
            BmcCount = 1, Profiles = ["lenovo"], VmBackedCount = 1, NetbootUrl = $"http://10.0.2.2:{port}/boot.ipxe",
        });
        var system = lab.Fleet.Bmcs[0].Systems[0];
        Assert.True(system.IsVmBacked);
        var client = lab.Client(system.Bmc);

        var clock = Stopwatch.StartNew();
        using (var patch = await client.PatchJsonAsync(system.RedfishPath, new { Boot = new { BootSourceOverrideTarget = "Pxe", BootSourceOverrideEnabled = "Once" } }))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }
        using (var on = await client.PostJsonAsync($"{system.RedfishPath}/Actions/ComputerSystem.Reset", new { ResetType = "On" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, on.StatusCode);
        }
        Assert.True(system.IsVmRunning, "power on should start QEMU");
        Assert.Equal("Disabled", system.Boot.Enabled);

        var winner = await Task.WhenAny(fetched.Task, Task.Delay(TimeSpan.FromSeconds(120)));
        var log = File.Exists(system.VmLogPath!) ? await ReadShared(system.VmLogPath!) : "(no log)";
        Assert.True(winner == fetched.Task, $"iPXE never fetched the boot script. VM console:\n{log}");
        output.WriteLine($"iPXE fetched {fetched.Task.Result} {clock.Elapsed.TotalSeconds:F1} s after the override was set");
        Assert.Equal("/boot.ipxe", fetched.Task.Result);
        Assert.Equal("On", (await client.GetJsonAsync(system.RedfishPath))["PowerState"]!.GetValue<string>());

        using (var off = await client.PostJsonAsync($"{system.RedfishPath}/Actions/ComputerSystem.Reset", new { ResetType = "ForceOff" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, off.StatusCode);
        }
        Assert.Equal(LabPowerState.Off, system.PowerState);
        Assert.True(await HttpExtensions.EventuallyAsync(() => !system.IsVmRunning, TimeSpan.FromSeconds(5)), "ForceOff should kill QEMU");
    }

    [QemuFact]
    public async Task PowerStateFollowsTheQemuProcess()
    {
        await using var lab = await TestLab.StartAsync("127.0.31.20", new LabOptions { BmcCount = 1, Profiles = ["dell"], VmBackedCount = 1 });
        var system = lab.Fleet.Bmcs[0].Systems[0];
        system.Reset("On");
        Assert.True(system.IsVmRunning);
        var pid = QemuPids().Single(p => CommandLine(p).Contains(system.Facts.SerialNumber));
        Process.GetProcessById(pid).Kill(); // the VM dies on its own, as if it powered itself off
        Assert.True(await HttpExtensions.EventuallyAsync(() => system.PowerState == LabPowerState.Off, TimeSpan.FromSeconds(5)));
        var vm = await lab.Client(system.Bmc).GetJsonAsync(system.RedfishPath);
        Assert.Equal("Off", vm["PowerState"]!.GetValue<string>());
    }

    [Fact]
    public async Task VmBackedSystemsAlternateUefiAndLegacySoTwoVmsShowBothFirmwares()
    {
        await using var lab = await TestLab.StartAsync("127.0.31.40", new LabOptions { BmcCount = 4, Profiles = ["dell"], VmBackedCount = 3 });

        Assert.Equal(["UEFI", "Legacy", "UEFI", "UEFI"], lab.Fleet.Bmcs.Select(b => b.Systems[0].Boot.Mode));
        Assert.Equal([true, true, true, false], lab.Fleet.Bmcs.Select(b => b.Systems[0].IsVmBacked));
    }

    private static IEnumerable<int> QemuPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(int.Parse!)
            .Where(p => CommandLine(p).StartsWith("qemu-system-x86_64") || CommandLine(p).Contains("/qemu-system-x86_64"));

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static async Task<string> ReadShared(string path)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return await new StreamReader(s).ReadToEndAsync();
    }
}
