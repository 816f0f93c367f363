using System.Net;
using Portal.Core.Bmcs;

namespace Portal.Core.Discovery.Leases;

/// <summary>One lease read from a DHCP server's lease file.</summary>
public sealed record DhcpLease(
    MacAddress Mac,
    IPAddress Address,
    string? Hostname,
    DateTimeOffset? Starts,
    DateTimeOffset? Ends,
    bool IsActive,
    int LineNumber);

/// <summary>A line the parser could not use; reported, never thrown, so one bad line does not hide the rest.</summary>
public sealed record LeaseParseIssue(int LineNumber, string Message)
{
    public override string ToString() => $"line {LineNumber}: {Message}";
}

public sealed record LeaseFile(IReadOnlyList<DhcpLease> Leases, IReadOnlyList<LeaseParseIssue> Issues)
{
    /// <summary>
    /// The lease to use for each MAC: an active lease beats an expired one, then the newest
    /// (latest end, then latest start, then latest in the file, since servers append) wins.
    /// </summary>
    public IReadOnlyDictionary<MacAddress, DhcpLease> LatestByMac() =>
        Leases.GroupBy(l => l.Mac).ToDictionary(
            g => g.Key,
            g => g.OrderByDescending(l => l.IsActive)
                  .ThenByDescending(l => l.Ends ?? DateTimeOffset.MaxValue)
                  .ThenByDescending(l => l.Starts ?? DateTimeOffset.MinValue)
                  .ThenByDescending(l => l.LineNumber)
                  .First());
}
