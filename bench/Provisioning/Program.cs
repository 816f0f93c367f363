// 20 concurrent deployments of lab machines through the real Portal host (Quartz, Redfish over
// HTTPS, netboot endpoints), each machine netbooting and installing by itself with the lab's
// simulated firmware and installer (no VMs): queue → power off → one-time PXE → power on → script
// → config → installer events → clear override → Deployed. Prints the wall time and the peak
// number of runs going at once, which must never exceed the admission limit. Args: [deployments=20] [limit=8].
using Portal.Bench;

var count = args.Length > 0 ? int.Parse(args[0]) : 20;
var limit = args.Length > 1 ? int.Parse(args[1]) : 8;
var pass = await LabProvisioningRun.RunAsync(new LabProvisioningSettings("provisioning bench", count, limit, FirstAddress: "127.4.0.1",
    InstallerPace: TimeSpan.FromMilliseconds(100), QueuePollInterval: TimeSpan.FromMilliseconds(200), PollInterval: TimeSpan.FromMilliseconds(200)));
return pass ? 0 : 1;
