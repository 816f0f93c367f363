using Microsoft.Extensions.Logging;
using Portal.Lab.Events;
using Portal.Lab.Netboot;
using Portal.Lab.Power;

namespace Portal.Lab;

/// <summary>
/// One simulated server behind a BMC: its hardware facts (fixed) and its power/boot state
/// (changed through Redfish or in-process). State is guarded by the owning BMC's lock.
/// </summary>
public sealed class LabSystem
{
    private readonly LabBmc bmc;
    private readonly Func<bool, bool, VmSpec>? vmSpec;
    private readonly ILogger logger;
    private LabPowerState powerState = LabPowerState.Off;
    private BootOverride boot;
    private IReadOnlyList<string> bootOrder;
    private string assetTag = "";
    private string? lastBootSource;
    private int powerOnCount;
    private long generation;
    private int resetCount;
    private QemuVm? vm;
    private NetbootFaults netbootFaults = NetbootFaults.None;
    private CancellationTokenSource? netboot;

    internal LabSystem(LabBmc bmc, string id, HardwareFacts facts, Func<bool, bool, VmSpec>? vmSpec, string? vmLogPath, string bootMode, ILogger logger)
    {
        this.bmc = bmc;
        boot = BootOverride.Default with { Mode = bootMode };
        BootOptions = LabBootOptions.For(facts);
        bootOrder = BootOptions.Select(o => o.Reference).ToList();
        this.vmSpec = vmSpec;
        this.logger = logger;
        Id = id;
        Facts = facts;
        VmLogPath = vmLogPath;
    }

    /// <summary>Redfish id under /redfish/v1/Systems (the chassis of a system has the same id).</summary>
    public string Id { get; }

    public HardwareFacts Facts { get; }

    public LabBmc Bmc => bmc;

    /// <summary>Redfish path of this system, e.g. /redfish/v1/Systems/1.</summary>
    public string RedfishPath => $"/redfish/v1/Systems/{Id}";

    /// <summary>Power-on starts a real QEMU VM.</summary>
    public bool IsVmBacked => vmSpec is not null;

    /// <summary>Console log of the VM (VM-backed systems only).</summary>
    public string? VmLogPath { get; }

    public LabPowerState PowerState { get { lock (bmc.Sync) return powerState; } }

    public BootOverride Boot { get { lock (bmc.Sync) return boot; } }

    public string AssetTag { get { lock (bmc.Sync) return assetTag; } }

    /// <summary>The firmware's boot menu (fixed).</summary>
    public IReadOnlyList<LabBootOption> BootOptions { get; }

    /// <summary>The persistent boot order (BootOptionReference values), used when no override is in force.</summary>
    public IReadOnlyList<string> BootOrder { get { lock (bmc.Sync) return bootOrder; } }

    /// <summary>What the machine booted from at its latest power-on (Pxe, Hdd, ...); null before the first.</summary>
    public string? LastBootSource { get { lock (bmc.Sync) return lastBootSource; } }

    public int PowerOnCount { get { lock (bmc.Sync) return powerOnCount; } }
    /// <summary>ComputerSystem.Reset requests received (a test checks nobody repeats one).</summary>
    public int ResetCount { get { lock (bmc.Sync) return resetCount; } }

    /// <summary>True while a QEMU process runs for this system.</summary>
    public bool IsVmRunning { get { lock (bmc.Sync) return vm is { HasExited: false }; } }

    /// <summary>The fleet's simulated firmware (null when the lab does not netboot against a Portal).</summary>
    internal SimulatedFirmware? Firmware { get; set; }

    /// <summary>What goes wrong when this system netboots through the simulated firmware.</summary>
    public NetbootFaults NetbootFaults
    {
        get { lock (bmc.Sync) return netbootFaults; }
        set { lock (bmc.Sync) netbootFaults = value ?? NetbootFaults.None; }
    }

    /// <summary>True while the simulated firmware or installer runs for this system.</summary>
    public bool IsNetbooting { get { lock (bmc.Sync) return netboot is not null; } }

    internal (LabPowerState Power, BootOverride Boot, IReadOnlyList<string> BootOrder, string AssetTag) Snapshot()
    {
        lock (bmc.Sync) return (powerState, boot, bootOrder, assetTag);
    }

    /// <summary>A new boot order; the caller checked it names each of <see cref="BootOptions"/> once.</summary>
    public void SetBootOrder(IReadOnlyList<string> order)
    {
        lock (bmc.Sync) bootOrder = order.ToList();
    }

    public void SetBootOverride(BootOverride value)
    {
        lock (bmc.Sync) boot = value;
    }

    internal void SetAssetTag(string value)
    {
        lock (bmc.Sync) assetTag = value;
    }

    /// <summary>
    /// Acts like the BMC's ComputerSystem.Reset. The profile's delay (if any) keeps the system
    /// in PoweringOn/PoweringOff meanwhile; a newer Reset supersedes a pending one.
    /// </summary>
    public void Reset(string resetType)
    {
        lock (bmc.Sync)
        {
            var gen = ++generation;
            resetCount++;
            var isOn = powerState is LabPowerState.On or LabPowerState.PoweringOff;
            switch (resetType)
            {
                case "On" or "ForceOn":
                    if (!isOn || powerState == LabPowerState.PoweringOff) Schedule(gen, LabPowerState.PoweringOn, PowerOnNow);
                    break;
                case "ForceOff" or "GracefulShutdown":
                    // The simulated OS obeys ACPI at once; a VM has no OS to ask, so it is stopped.
                    if (powerState != LabPowerState.Off) Schedule(gen, LabPowerState.PoweringOff, PowerOffNow);
                    break;
                case "PushPowerButton":
                    if (isOn) Schedule(gen, LabPowerState.PoweringOff, PowerOffNow);
                    else Schedule(gen, LabPowerState.PoweringOn, PowerOnNow);
                    break;
                case "ForceRestart" or "GracefulRestart" or "PowerCycle":
                    // A restart of a machine that is off simply powers it on, as most BMCs do.
                    Schedule(gen, isOn ? LabPowerState.PoweringOff : LabPowerState.PoweringOn, () =>
                    {
                        PowerOffNow();
                        PowerOnNow();
                    });
                    break;
                case "Nmi":
                    logger.LogInformation("NMI sent to {System} on {Bmc}", Id, bmc.Address);
                    break;
                default:
                    throw new ArgumentException($"Unknown ResetType '{resetType}'.", nameof(resetType));
            }
        }
    }

    private void Schedule(long gen, LabPowerState meanwhile, Action action)
    {
        var delay = bmc.ResetDelay;
        if (delay <= TimeSpan.Zero)
        {
            action();
            return;
        }
        SetPower(meanwhile);
        _ = Task.Delay(delay).ContinueWith(_ =>
        {
            lock (bmc.Sync)
            {
                if (gen == generation) action();
            }
        }, TaskScheduler.Default);
    }

    // Both run under bmc.Sync.
    private void PowerOnNow()
    {
        // No override in force: the first entry of the boot order decides. A network entry that nobody
        // answers (no simulated firmware here) times out and the firmware goes on to the disk.
        var byOrder = boot.EffectiveSource is null;
        var source = boot.EffectiveSource ?? (NetworkFirst() ? "Pxe" : "Hdd");
        if (boot.Enabled == "Once") boot = boot with { Enabled = "Disabled" }; // an override of "Once" is used up here
        SetPower(LabPowerState.On);
        lastBootSource = source;
        powerOnCount++;
        if (vmSpec is null)
        {
            if (source == "Pxe" && Firmware is { } firmware) StartNetboot(firmware);
            else if (source == "Pxe" && byOrder) lastBootSource = "Hdd";
            return;
        }

        try
        {
            var spec = vmSpec(source == "Pxe", boot.Mode == "UEFI");
            QemuVm? started = null;
            started = QemuVm.Start(spec, () => OnVmExited(started), logger);
            vm = started;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            // No QEMU here: the system still powers on as a plain simulated machine (netbooting like one, when the lab does).
            logger.LogWarning("Cannot start the VM of {Serial}: {Error}", Facts.SerialNumber, e.Message);
            if (source == "Pxe" && Firmware is { } firmware) StartNetboot(firmware);
        }
    }

    // Under bmc.Sync. The netboot runs outside the lock and reports back only while it is still this power-on's.
    private void StartNetboot(SimulatedFirmware firmware)
    {
        netboot?.Cancel();
        var run = new CancellationTokenSource();
        netboot = run;
        var (uefi, faults) = (boot.Mode == "UEFI", netbootFaults);
        _ = Task.Run(async () =>
        {
            NetbootResult result;
            try
            {
                result = await firmware.BootAsync(Facts, uefi, faults, run.Token);
            }
            catch (OperationCanceledException) when (run.IsCancellationRequested)
            {
                return; // powered off meanwhile
            }
            catch (Exception e)
            {
                logger.LogError(e, "Simulated netboot of {Serial} failed", Facts.SerialNumber);
                result = NetbootResult.InstallerFailed;
            }
            lock (bmc.Sync)
            {
                if (!ReferenceEquals(netboot, run)) return;
                netboot = null;
                switch (result)
                {
                    case NetbootResult.BootedFromDisk:
                        lastBootSource = "Hdd";
                        break;
                    case NetbootResult.Installed:
                        // The installer reboots the machine; a used-up Once override now boots the new disk.
                        PowerOffNow();
                        PowerOnNow();
                        break;
                }
            }
        });
    }

    // Under bmc.Sync.
    private bool NetworkFirst() =>
        bootOrder.Select(r => BootOptions.FirstOrDefault(o => o.Reference == r)).FirstOrDefault(o => o is not null)?.IsNetwork == true;

    private void PowerOffNow()
    {
        SetPower(LabPowerState.Off);
        netboot?.Cancel();
        netboot = null;
        var running = vm;
        vm = null;
        running?.Kill();
    }

    private void OnVmExited(QemuVm? exited)
    {
        lock (bmc.Sync)
        {
            // Only the current VM decides the power state; a killed predecessor does not.
            if (exited is null || !ReferenceEquals(vm, exited)) return;
            vm = null;
            generation++;
            SetPower(LabPowerState.Off);
        }
    }

    // Under bmc.Sync. Every PowerState change is announced on the BMC's event feed, whoever caused it.
    private void SetPower(LabPowerState value)
    {
        if (powerState == value) return;
        powerState = value;
        var (messageId, text) = PowerMessages.For(bmc.Profile, value, RedfishPath);
        bmc.Events.Publish(messageId, text, RedfishPath);
    }

    internal void Shutdown()
    {
        lock (bmc.Sync)
        {
            generation++;
            netboot?.Cancel();
            netboot = null;
            var running = vm;
            vm = null;
            running?.Kill();
        }
    }
}
