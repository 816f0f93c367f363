using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery.Identity;
using Portal.Core.Discovery.Inventory;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Redfish;

namespace Portal.Core.Discovery.Runs;

public enum OnboardResult { NoBmc, PendingCredentials, Inventoried, Failed }

public sealed record OnboardOutcome(OnboardResult Result, int Machines = 0, string? Issue = null);

/// <summary>
/// One candidate address, start to finish: probe the service root, find credentials (vendor list by
/// BMC MAC, else the source's manual login, else what the BMC already had), log in, read the
/// inventory and upsert the BMC and its machines. Runs in its own DI scope (own DbContext).
/// </summary>
public sealed class BmcOnboarding(
    AppDbContext db, RedfishClientFactory redfish, InventoryReader reader, CredentialProtector protector,
    TimeProvider clock, ILogger<BmcOnboarding> logger)
{
    public async Task<OnboardOutcome> OnboardAsync(DiscoveryCandidate candidate, Actor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var bmc = candidate.Mac is { } knownMac
            ? await db.Bmcs.SingleOrDefaultAsync(b => b.Mac == knownMac.ToString(), ct)
            : await db.Bmcs.SingleOrDefaultAsync(b => b.Address == candidate.Endpoint.Host && b.Port == candidate.Endpoint.Port, ct);
        var tls = TlsPolicy.PinOnFirstUse(bmc?.PinnedCertificateSha256);

        // One client (one TLS connection) for probe, login and inventory: handshakes dominate the
        // cost of a large discovery.
        await using var client = redfish.Create(candidate.Endpoint, tls);
        // A sweep over a range mostly hits empty addresses: probe once, without retries.
        try { await client.ProbeAsync(retry: candidate.Mac is not null || bmc is not null, ct); }
        catch (RedfishException e)
        {
            if (bmc is null && candidate.Mac is null) return new OnboardOutcome(OnboardResult.NoBmc);
            bmc ??= Track(candidate, candidate.Mac!.Value, now);
            return await FailAsync(bmc, e, ct);
        }

        var (credential, unreadable) = await CredentialForAsync(candidate, bmc, ct);
        if (unreadable is not null)
        {
            logger.LogWarning("{Endpoint}: {Problem}", candidate.Endpoint, unreadable);
            return new OnboardOutcome(OnboardResult.Failed, Issue: $"{candidate.Endpoint}: {unreadable}");
        }
        if (credential is null)
        {
            if (candidate.Mac is null)
                return new OnboardOutcome(OnboardResult.PendingCredentials, Issue: $"{candidate.Endpoint} answers Redfish but has no credentials and its MAC is unknown: add a manual login to the source.");
            bmc ??= Track(candidate, candidate.Mac.Value, now);
            bmc.SeenAt(candidate.Endpoint.Host, candidate.Endpoint.Port, candidate.Endpoint.UseHttps, now);
            bmc.AwaitCredentials(now);
            await db.SaveChangesAsync(ct);
            return new OnboardOutcome(OnboardResult.PendingCredentials);
        }

        try
        {
            await client.LoginAsync(credential.Value.Login, ct);
            var inventory = await reader.ReadAsync(client, ct);
            var mac = candidate.Mac ?? inventory.Bmc.Mac;
            if (mac is null)
                return new OnboardOutcome(OnboardResult.Failed, Issue: $"{candidate.Endpoint}: the BMC does not report its own MAC, so it cannot be matched to a vendor list.");
            // A candidate with a MAC was looked up by it above; only one found by address needs a second look.
            bmc ??= (candidate.Mac is null ? await db.Bmcs.SingleOrDefaultAsync(b => b.Mac == mac.Value.ToString(), ct) : null)
                    ?? Track(candidate, mac.Value, now);
            bmc.SeenAt(candidate.Endpoint.Host, candidate.Endpoint.Port, candidate.Endpoint.UseHttps, now);
            bmc.UseCredentials(credential.Value.Login.Username, credential.Value.Encrypted, credential.Value.Source);
            bmc.PinCertificate(client.CertificateSha256);
            bmc.Inventoried(inventory.Bmc.Vendor, inventory.Bmc.Model, inventory.Bmc.FirmwareVersion, now);
            var facts = inventory.Systems.Select(ToFacts).ToList();
            var identities = await SystemIdentities.LoadAsync(db, bmc, facts, ct);
            // One transaction: a reader never sees a Reachable BMC without its machines. Nothing
            // is retried inside it, so the savepoint EF would wrap around each save is only two
            // more round trips.
            db.Database.AutoSavepointsEnabled = false;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (bmc.Id == 0) await db.SaveChangesAsync(ct); // machines need the BMC's id
            var conflicts = identities.Apply(db, bmc, facts, actor, now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new OnboardOutcome(OnboardResult.Inventoried, facts.Count - conflicts.Count,
                conflicts.Count == 0 ? null : $"BMC {bmc.Mac}: {conflicts.Count} system(s) match a known machine only by serial; an admin decides on the BMC list.");
        }
        catch (RedfishException e)
        {
            if (bmc is null && candidate.Mac is null)
                return new OnboardOutcome(OnboardResult.Failed, Issue: e.Message);
            bmc ??= Track(candidate, candidate.Mac!.Value, now);
            return await FailAsync(bmc, e, ct);
        }
    }

    private static MachineFacts ToFacts(SystemInventory s) => new(
        s.ODataId, Guid.TryParse(s.Uuid, out var uuid) ? uuid : null, s.SerialNumber, s.Manufacturer, s.Model, s.Architecture, s.BootMode,
        s.BiosVersion, s.Cpu.Model, s.Cpu.Sockets, s.Cpu.Cores, s.Cpu.Threads, s.MemoryBytes,
        s.Disks.Select(d => new MachineDisk(d.Model, d.MediaType.ToString(), d.Protocol.ToString(), d.CapacityBytes, d.SerialNumber)).ToList(),
        s.Nics.Select(n => new MachineNic(n.Mac.ToString(), n.SpeedMbps, n.Name)).ToList(),
        s.Gpus.Select(g => new MachineGpu(g.Model, g.Vendor)).ToList(),
        s.PowerState.ToString());

    /// <summary>The login to use, or why a stored one cannot be used (its password cannot be decrypted).</summary>
    private async Task<((BmcCredential Login, string Encrypted, CredentialSource Source)? Credential, string? Unreadable)> CredentialForAsync(
        DiscoveryCandidate candidate, Bmc? bmc, CancellationToken ct)
    {
        var mac = candidate.Mac?.ToString() ?? bmc?.Mac;
        if (mac is not null && await db.VendorCredentials.AsNoTracking().SingleOrDefaultAsync(v => v.Mac == mac, ct) is { } vendor)
            return protector.TryUnprotect(vendor.EncryptedPassword, out var password)
                ? ((new BmcCredential(vendor.Username, password), vendor.EncryptedPassword, CredentialSource.VendorList), null)
                : (null, CredentialProtector.Unreadable($"the vendor list entry for {mac}"));
        if (candidate.ManualCredential is { } manual)
            return ((manual, protector.Protect(manual.Password), CredentialSource.Manual), null);
        if (bmc is { HasCredentials: true })
            return protector.TryUnprotect(bmc.EncryptedPassword!, out var password)
                ? ((new BmcCredential(bmc.Username!, password), bmc.EncryptedPassword!, bmc.CredentialSource), null)
                : (null, CredentialProtector.Unreadable($"BMC {bmc.Mac}'s login"));
        return (null, null);
    }

    private async Task<OnboardOutcome> FailAsync(Bmc bmc, RedfishException e, CancellationToken ct)
    {
        var status = e.Kind switch
        {
            RedfishErrorKind.AuthFailed => BmcStatus.AuthFailed,
            RedfishErrorKind.Unreachable or RedfishErrorKind.Timeout => BmcStatus.Unreachable,
            RedfishErrorKind.TlsCertificateChanged when e.PresentedSha256 is not null => BmcStatus.TlsCertificateChanged,
            _ => BmcStatus.Error,
        };
        // A changed certificate keeps the thumbprint presented, for an admin to confirm and re-pin.
        if (status == BmcStatus.TlsCertificateChanged) bmc.CertificateChanged(e.PresentedSha256!, e.Message);
        else bmc.Failed(status, e.Message);
        await db.SaveChangesAsync(ct);
        logger.LogWarning("BMC {Mac} at {Address}: {Status}: {Error}", bmc.Mac, bmc.Address, status, e.Message);
        return new OnboardOutcome(OnboardResult.Failed, Issue: e.Message);
    }

    /// <summary>A new BMC at the candidate's address, added to the context.</summary>
    private Bmc Track(DiscoveryCandidate candidate, MacAddress mac, DateTimeOffset now) =>
        db.Bmcs.Add(Bmc.Discovered(mac.ToString(), candidate.Endpoint.Host, candidate.Endpoint.Port, candidate.Endpoint.UseHttps, now)).Entity;
}
