using Microsoft.Extensions.Logging;
using Portal.Lab.Hardware;
using Portal.Lab.Power;

namespace Portal.Lab.Fleet;

/// <summary>Turns options into BMC objects: profiles round-robin, hardware from the seed.</summary>
internal static class FleetBuilder
{
    public static List<LabBmc> Build(LabOptions o, string outputDirectory, string qemuPath, ILoggerFactory loggers)
    {
        var addresses = AddressPlan.Allocate(o.FirstAddress, o.BmcCount);
        IReadOnlyList<string> mix = o.Profiles.Length > 0 ? o.Profiles : VendorProfiles.DefaultMix;
        var profiles = mix.Select(VendorProfiles.Find).ToArray();
        var systemLogger = loggers.CreateLogger<LabSystem>();
        var nicCounter = 0;
        var vmLeft = o.VmBackedCount;
        var bmcs = new List<LabBmc>(o.BmcCount);

        for (var i = 0; i < o.BmcCount; i++)
        {
            var profile = profiles[i % profiles.Length];
            var rng = HardwareGenerator.RandomFor(o.Seed, i, -1);
            var password = HardwareGenerator.Password(rng);
            var serviceUuid = HardwareGenerator.NewGuid(rng);
            var enclosureSerial = HardwareGenerator.Serial(rng, "MBE#######A");
            var facts = new List<HardwareFacts>(profile.SystemsPerBmc);
            for (var j = 0; j < profile.SystemsPerBmc; j++)
            {
                var generated = HardwareGenerator.Generate(profile, HardwareGenerator.RandomFor(o.Seed, i, j), o.Seed, ref nicCounter);
                facts.Add(o.SystemSerial is { } serial ? generated with { SerialNumber = serial } : generated);
            }

            var resetDelay = profile.ResetDelay > TimeSpan.Zero ? o.SlowResetDelay ?? profile.ResetDelay : TimeSpan.Zero;
            var bmc = new LabBmc(i, addresses[i], HardwareGenerator.Mac(profile.BmcOui, o.Seed, i), profile.DefaultUsername, password,
                profile.SystemsPerBmc > 1 ? enclosureSerial : facts[0].SerialNumber, profile, serviceUuid, resetDelay, o.DefaultFaults, o);

            for (var j = 0; j < facts.Count; j++)
            {
                var f = facts[j];
                var id = profile.SystemsPerBmc > 1 ? $"Blade{j + 1}" : profile.SystemId;
                Func<bool, bool, VmSpec>? vm = null;
                string? log = null;
                var bootMode = BootOverride.Default.Mode;
                if (vmLeft > 0)
                {
                    // VM-backed systems alternate UEFI and Legacy, so two VMs show both firmwares.
                    bootMode = (o.VmBackedCount - vmLeft) % 2 == 0 ? "UEFI" : "Legacy";
                    vmLeft--;
                    log = Path.Combine(outputDirectory, "vm", $"{f.SerialNumber}.log");
                    var (logPath, varsPath) = (log, Path.Combine(outputDirectory, "vm", $"{f.SerialNumber}.OVMF_VARS.fd"));
                    var disk = string.IsNullOrWhiteSpace(o.VmDiskImage) ? null : Path.GetFullPath(o.VmDiskImage);
                    var vmIndex = o.VmBackedCount - vmLeft - 1;
                    var tap = vmIndex < o.VmTaps.Length ? o.VmTaps[vmIndex] : null;
                    vm = (networkBoot, uefi) => new VmSpec(qemuPath, f.Nics[0].Mac, f.Uuid, f.SerialNumber, f.Manufacturer, f.Model,
                        o.VmMemoryMiB, o.NetbootUrl, networkBoot, logPath, disk, uefi ? Ovmf(varsPath) : null, tap, o.VmBiosPxeRom);
                }
                bmc.Add(new LabSystem(bmc, id, f, vm, log, bootMode, systemLogger));
            }
            bmcs.Add(bmc);
        }
        return bmcs;
    }

    // Looked up at each power-on, so installing OVMF while the lab runs is enough.
    private static UefiFirmware Ovmf(string varsPath) =>
        UefiFirmware.Find() is var (code, vars)
            ? new UefiFirmware(code, vars, varsPath)
            : throw new FileNotFoundException("This system boots UEFI but OVMF is not installed (apt-get install ovmf), so its VM cannot start.");
}
