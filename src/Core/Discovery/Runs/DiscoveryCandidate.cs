using Portal.Core.Bmcs;
using Portal.Core.Redfish;

namespace Portal.Core.Discovery.Runs;

/// <summary>An address that may have a BMC behind it, with what the source knows about it.</summary>
public sealed record DiscoveryCandidate(BmcEndpoint Endpoint, MacAddress? Mac, BmcCredential? ManualCredential, string Source)
{
    public override string ToString() => $"{Endpoint} ({Source})";
}

/// <summary>Counts for one discovery run, pushed live while it runs.</summary>
public sealed record DiscoveryProgress(
    Guid RunId, int Total, int Probed, int Inventoried, int PendingCredentials, int Failed, int NoBmc, int Machines,
    bool Finished, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, IReadOnlyList<string> Issues, string? Error = null)
{
    /// <summary>Running, Finished, or Failed — a run that stopped with <see cref="Error"/> rather than reaching its end.</summary>
    public string State => Error is not null ? "Failed" : Finished ? "Finished" : "Running";

    public int Percent => Total == 0 ? 100 : (int)Math.Round(100.0 * Probed / Total);
}
