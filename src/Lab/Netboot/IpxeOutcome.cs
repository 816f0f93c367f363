namespace Portal.Lab.Netboot;

/// <summary>How an iPXE run ended: it booted a kernel, or it gave the machine back to its firmware (local disk).</summary>
public abstract record IpxeOutcome
{
    private IpxeOutcome() { }

    /// <summary><c>exit</c>, <c>sanboot</c> of the local drive, or a script that ran out: the firmware boots the next device, the disk.</summary>
    public sealed record LocalBoot(string Reason) : IpxeOutcome;

    /// <summary><c>boot</c> with a loaded kernel: what runs next is an installer (or whatever the kernel is).</summary>
    public sealed record KernelBoot(Uri Kernel, string CommandLine, IReadOnlyList<Uri> Initrds) : IpxeOutcome;
}
