namespace Portal.Netboot.Inputs;

/// <summary>
/// One provisioning run as rendering sees it. <see cref="Parameters"/> override the profile's
/// defaults by name. <see cref="Token"/> is the unguessable one-time token in the config and
/// events URLs (see <see cref="NetbootToken"/>).
/// </summary>
public sealed record NetbootDeployment(
    long Id,
    string Hostname,
    IReadOnlyList<string> SshKeys,
    string? RootPasswordHash,
    IReadOnlyDictionary<string, string> Parameters,
    string Token);

/// <summary>Everything one render needs: the machine, what to install, the run, and where the portal is.</summary>
public sealed record NetbootContext(
    NetbootMachine Machine,
    NetbootProfile Profile,
    NetbootDeployment Deployment,
    PortalUrls Urls);
