using Microsoft.Extensions.Logging;
using Portal.Core.Machines;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// One Information line per answer to a machine's firmware: who asked (MAC, platform, iPXE build),
/// which machine that is or that it is unknown, and whether it got an installer or its local disk
/// and why. Source-generated, so the boot storm's known machines pay for a structured write only.
/// </summary>
internal static partial class NetbootDecisions
{
    public const string Category = "Portal.Netboot.Decisions";

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Netboot: {Mac} (platform {Platform}, iPXE build {IpxeBuild}) is machine {MachineId}, {State}: local disk")]
    private static partial void LocalDisk(ILogger logger, string? mac, string? platform, string? ipxeBuild, long machineId, MachineState state);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Netboot: {Mac} (platform {Platform}, iPXE build {IpxeBuild}, uuid {Uuid}, serial {Serial}) is not a known machine: local disk, recorded as a sighting")]
    private static partial void Unknown(ILogger logger, string? mac, string? platform, string? ipxeBuild, Guid? uuid, string? serial);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Netboot: {Mac} (platform {Platform}, iPXE build {IpxeBuild}) is machine {MachineId}: installer of deployment {DeploymentId}")]
    private static partial void Installer(ILogger logger, string? mac, string? platform, string? ipxeBuild, long machineId, long deploymentId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Netboot: {Mac} (platform {Platform}, iPXE build {IpxeBuild}, uuid {Uuid}, serial {Serial}) matches machine {MachineId} by serial only, neither MAC nor UUID: not trusted, local disk, recorded as a sighting")]
    private static partial void SerialOnly(ILogger logger, string? mac, string? platform, string? ipxeBuild, Guid? uuid, string? serial, long machineId);

    public static void SerialOnly(ILogger logger, BootQuery q, long machineId) => SerialOnly(logger, q.Mac, q.Platform, q.BuildArch, q.Uuid, q.Serial, machineId);

    public static void LocalDisk(ILogger logger, BootQuery q, long machineId, MachineState state) => LocalDisk(logger, q.Mac, q.Platform, q.BuildArch, machineId, state);

    public static void Unknown(ILogger logger, BootQuery q) => Unknown(logger, q.Mac, q.Platform, q.BuildArch, q.Uuid, q.Serial);

    public static void Installer(ILogger logger, BootQuery q, long machineId, long deploymentId) => Installer(logger, q.Mac, q.Platform, q.BuildArch, machineId, deploymentId);
}
