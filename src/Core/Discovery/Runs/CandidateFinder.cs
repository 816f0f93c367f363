using Microsoft.EntityFrameworkCore;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery.Leases;
using Portal.Core.Persistence;
using Portal.Core.Redfish;

namespace Portal.Core.Discovery.Runs;

/// <summary>Turns the enabled discovery sources into candidate addresses. Unreadable sources become issues, not crashes.</summary>
public sealed class CandidateFinder(AppDbContext db, CredentialProtector protector, LeaseFiles leaseFiles, TimeProvider clock)
{
    public async Task<(List<DiscoveryCandidate> Candidates, List<string> Issues)> FindAsync(CancellationToken ct)
    {
        var candidates = new List<DiscoveryCandidate>();
        var issues = new List<string>();
        foreach (var source in await db.DiscoverySources.AsNoTracking().Where(s => s.Enabled).OrderBy(s => s.Id).ToListAsync(ct))
        {
            switch (source.Kind)
            {
                case DiscoverySourceKind.DnsmasqLeases or DiscoverySourceKind.IscLeases:
                    var leases = await ReadLeasesAsync(source, issues, ct);
                    candidates.AddRange(leases.Values.Where(l => l.IsActive).Select(l => new DiscoveryCandidate(
                        new BmcEndpoint(l.Address.ToString(), source.Port, source.UseHttps), l.Mac, null, $"lease file {source.Value}")));
                    break;
                case DiscoverySourceKind.Cidr:
                    if (!CidrRange.TryParse(source.Value, out var range, out var error) || !range.TryExpand(CidrRange.DefaultMaxAddresses, out var addresses, out error))
                    {
                        issues.Add($"Range {source.Value}: {error}");
                        break;
                    }
                    if (!TryManual(source, $"Range {source.Value}", issues, out var rangeLogin)) break;
                    candidates.AddRange(addresses.Select(a => new DiscoveryCandidate(
                        new BmcEndpoint(a.ToString(), source.Port, source.UseHttps), null, rangeLogin, $"range {source.Value}")));
                    break;
                case DiscoverySourceKind.Address:
                    if (!TryManual(source, $"Address {source.Value}", issues, out var addressLogin)) break;
                    candidates.Add(new DiscoveryCandidate(new BmcEndpoint(source.Value, source.Port, source.UseHttps), null, addressLogin, $"address {source.Value}"));
                    break;
            }
        }
        // The same BMC can be in a lease file and a range: probe it once, keeping the richer entry.
        var unique = candidates.GroupBy(c => c.Endpoint.Key).Select(g => g.OrderByDescending(c => c.Mac is not null).First()).ToList();
        return (unique, issues);
    }

    /// <summary>Onboarding by MAC: the newest lease for that MAC in any lease source.</summary>
    public async Task<DiscoveryCandidate?> FindByMacAsync(MacAddress mac, List<string> issues, CancellationToken ct)
    {
        foreach (var source in await db.DiscoverySources.AsNoTracking()
                     .Where(s => s.Kind == DiscoverySourceKind.DnsmasqLeases || s.Kind == DiscoverySourceKind.IscLeases).ToListAsync(ct))
        {
            var leases = await ReadLeasesAsync(source, issues, ct);
            if (leases.TryGetValue(mac, out var lease))
                return new DiscoveryCandidate(new BmcEndpoint(lease.Address.ToString(), source.Port, source.UseHttps), mac, null, $"lease file {source.Value}");
        }
        return null;
    }

    private async Task<IReadOnlyDictionary<MacAddress, DhcpLease>> ReadLeasesAsync(DiscoverySource source, List<string> issues, CancellationToken ct)
    {
        var (text, problem) = await leaseFiles.ReadAsync(source.Value, ct);
        if (text is null)
        {
            issues.Add($"Lease file {source.Value}: {problem}");
            return new Dictionary<MacAddress, DhcpLease>();
        }
        var file = source.Kind == DiscoverySourceKind.IscLeases ? IscDhcpLeaseParser.Parse(text, clock.GetUtcNow()) : DnsmasqLeaseParser.Parse(text, clock.GetUtcNow());
        issues.AddRange(file.Issues.Take(20).Select(i => $"Lease file {source.Value} line {i.LineNumber}: {i.Message}"));
        return file.LatestByMac();
    }

    /// <summary>
    /// The source's manual login, if it has one. A password the key ring cannot open skips this
    /// source with an issue naming it; the other sources are still probed.
    /// </summary>
    private bool TryManual(DiscoverySource source, string name, List<string> issues, out BmcCredential? login)
    {
        login = null;
        if (source.Username is null || source.EncryptedPassword is null) return true;
        if (!protector.TryUnprotect(source.EncryptedPassword, out var password))
        {
            issues.Add(CredentialProtector.Unreadable($"{name} (manual login)"));
            return false;
        }
        login = new BmcCredential(source.Username, password);
        return true;
    }
}
