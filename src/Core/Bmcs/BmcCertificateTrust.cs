using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Core.Bmcs;

/// <summary>
/// "Confirm and re-pin": an admin compared the certificate a BMC now presents (status
/// TlsCertificateChanged) and trusts it. Admins only: the API group and the UI action check the
/// role before calling. The confirmed thumbprint is pinned only when it is the one the BMC
/// presented; the change is audited and the BMC is inventoried again over the new pin at once.
/// </summary>
public sealed class BmcCertificateTrust(AppDbContext db, DiscoveryRunner discovery, TimeProvider clock)
{
    public async Task<Outcome> TrustPresentedCertificateAsync(long bmcId, string? confirmedSha256, Actor actor, CancellationToken ct)
    {
        if (CertificateThumbprint.Normalize(confirmedSha256) is null)
            return Outcome.Invalid($"Not a SHA-256 thumbprint: '{confirmedSha256}'. Give the 64 hex digits shown as presented (colons allowed).");
        var bmc = await db.Bmcs.SingleOrDefaultAsync(b => b.Id == bmcId, ct);
        if (bmc is null) return Outcome.NotFound("No such BMC.");

        var previous = bmc.PinnedCertificateSha256;
        try { bmc.TrustPresentedCertificate(confirmedSha256!); }
        catch (InvalidOperationException e) { return new Outcome(OutcomeStatus.Conflict, e.Message); }
        db.AuditEvents.Add(AuditEvent.Record(actor, "bmc.certificate-trusted", "bmc", bmc.Mac,
            $"Re-pinned the TLS certificate of BMC {bmc.Mac} at {bmc.Address}: SHA-256 {previous ?? "(none)"} → {bmc.PinnedCertificateSha256}", clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);

        // Inventory it now rather than at the next periodic run, so the admin sees the result.
        var run = await discovery.RediscoverAsync(bmc, actor, ct);
        await db.Entry(bmc).ReloadAsync(ct);
        return Outcome.Done(run.Inventoried == 1
            ? $"Trusted the new certificate of BMC {bmc.Mac}; it is {bmc.Status} again."
            : $"Trusted the new certificate of BMC {bmc.Mac}, but inventorying it again did not work: {bmc.Status}: {bmc.LastError ?? string.Join("; ", run.Issues)}");
    }
}
