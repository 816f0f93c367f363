using Portal.Netboot.Inputs;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Tests;

/// <summary>One fixed machine and deployment, so golden files only change when output does.</summary>
internal static class Samples
{
    public const string Token = "tok_5aY3kPq9RrW2xZ8mN4vB7c";

    public static PortalUrls Urls { get; } = new("http://10.0.2.2:5080");

    public static NetbootMachine Machine { get; } = new(
        Id: 42,
        Name: "lab-01",
        Macs: ["12:44:6a:3b:04:11", "12:44:6a:3b:04:12"],
        Uuid: Guid.Parse("11111111-2222-3333-4444-555555555555"),
        Serial: "SN-1",
        Architecture: "x86_64",
        BootMode: BootMode.Bios,
        Facts: new HardwareFacts
        {
            CpuModel = "Intel(R) Xeon(R) Gold 6338",
            CpuSockets = 2,
            CpuCores = 64,
            CpuThreads = 128,
            MemoryBytes = 256L * 1024 * 1024 * 1024,
            Disks = [new DiskFact("nvme0n1", 960_197_124_096, "SAMSUNG MZQL2960HCJR", "S64FNE0R")],
            Nics = [new NicFact("eno1", "12:44:6a:3b:04:11", 25000)],
            Gpus = [new GpuFact("NVIDIA A100", "NVIDIA")],
        });

    public static NetbootMachine UefiMachine { get; } = Machine with { BootMode = BootMode.Uefi };

    public static NetbootDeployment Deployment { get; } = new(
        Id: 7,
        Hostname: "web-01",
        SshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0a2V5Zm9ycG9ydGFsbmV0Ym9vdHRlc3Rz alice@example"],
        RootPasswordHash: "$6$rounds=4096$portal$Xx0GmMUvGq9QeLkO1m2ZxH6y5vVj3b8aN1cD4eF7gH0iJ2kL5mN8oP1qR4sT7uV0wX3yZ6aB9cD2eF5gH8iJ1",
        Parameters: new Dictionary<string, string>(),
        Token: Token);

    public static NetbootContext Context(NetbootProfile profile, NetbootMachine? machine = null, NetbootDeployment? deployment = null) =>
        new(machine ?? Machine, profile, deployment ?? Deployment, Urls);

    public static NetbootContext Lab => Context(BuiltinProfiles.LabInstaller);
}
