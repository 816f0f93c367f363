namespace Portal.EndToEnd;

/// <summary>
/// Flows that netboot a QEMU machine run one after another: two emulated VMs at once on a 2-core
/// machine (no KVM) slow each other past the installer's timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class VmCollection
{
    public const string Name = "Netbooting VMs";
}
