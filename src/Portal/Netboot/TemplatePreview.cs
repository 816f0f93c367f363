using Portal.Netboot.Inputs;

namespace Portal.Netboot;

/// <summary>Stand-ins for a preview: a deployment that does not exist yet, and a machine when none is chosen.</summary>
internal static class TemplatePreview
{
    public static NetbootDeployment SampleDeployment { get; } = new(
        Id: 0,
        Hostname: "preview-host",
        SshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPreviewKeyOnlyForTheTemplateEditor00000 preview@portal"],
        RootPasswordHash: "$6$preview$previewpreviewpreviewpreviewpreview",
        Parameters: new Dictionary<string, string>(),
        Token: "preview-token-not-a-real-one");

    public static NetbootMachine SampleMachine { get; } = new(
        Id: 0,
        Name: "sample-machine",
        Macs: ["52:54:00:00:00:01"],
        Uuid: Guid.Parse("00000000-0000-4000-8000-000000000001"),
        Serial: "SAMPLE-1",
        Architecture: "x86_64",
        BootMode: BootMode.Uefi,
        Facts: new HardwareFacts
        {
            CpuModel = "Sample CPU", CpuSockets = 1, CpuCores = 8, CpuThreads = 16, MemoryBytes = 32L << 30,
            Disks = [new DiskFact("disk0", 480L * 1000 * 1000 * 1000, "Sample SSD")],
            Nics = [new NicFact("nic0", "52:54:00:00:00:01", 10000)],
        });
}
