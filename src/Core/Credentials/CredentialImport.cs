using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Persistence;

namespace Portal.Core.Credentials;

/// <summary>What an import did, or why it did nothing (the report carries the per-row verdicts).</summary>
public sealed record CredentialImportResult(bool Succeeded, int Added, int Replaced, CredentialListPreview Report)
{
    public static CredentialImportResult Refused(CredentialListPreview report) => new(false, 0, 0, report);
}

/// <summary>
/// Vendor credential list import: preview (parse + conflicts with stored entries), then an
/// all-or-nothing import. Passwords are encrypted before they reach the change tracker and
/// never appear in the audit summary or in any exception message raised here.
/// </summary>
public sealed class CredentialImport(AppDbContext db, CredentialListParser parser, CredentialProtector protector, TimeProvider clock)
{
    public async Task<CredentialListPreview> PreviewAsync(Stream content, string? fileName, bool replace, CancellationToken ct = default)
    {
        var preview = await parser.ParseAsync(content, fileName, ct);
        if (preview.Rows.Count == 0)
            return preview;
        var existing = await db.VendorCredentials.AsNoTracking()
            .Where(c => MacStrings(preview).Contains(c.Mac)).Select(c => c.Mac).ToListAsync(ct);
        return preview.WithExistingEntries(existing.Select(MacAddress.Parse).ToHashSet(), replace);
    }

    /// <summary>
    /// Saves every row of <paramref name="preview"/> or none. Conflicts are checked again inside
    /// the transaction because another admin may have imported the same MACs since the preview.
    /// </summary>
    public async Task<CredentialImportResult> ImportAsync(CredentialListPreview preview, string? fileName, bool replace, Actor actor, CancellationToken ct = default)
    {
        if (!preview.IsImportable)
            return CredentialImportResult.Refused(preview);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var macs = MacStrings(preview);
            var stored = await db.VendorCredentials.Where(c => macs.Contains(c.Mac)).ToDictionaryAsync(c => c.Mac, ct);
            // Row flags from the preview are discarded: only what the database says now counts.
            var fresh = preview with { Rows = preview.Rows.Select(r => r with { ReplacesExisting = false }).ToList() };
            var checkedNow = fresh.WithExistingEntries(stored.Keys.Select(MacAddress.Parse).ToHashSet(), replace);
            if (!checkedNow.IsImportable)
                return CredentialImportResult.Refused(checkedNow);

            var now = clock.GetUtcNow();
            int added = 0, replaced = 0;
            foreach (var row in checkedNow.Rows)
            {
                var mac = row.Mac!.Value.ToString();
                var encrypted = protector.Protect(row.Password);
                if (stored.TryGetValue(mac, out var entry))
                {
                    entry.Replace(row.Username, encrypted, row.Serial, row.Vendor, row.Notes, now, actor.Name);
                    replaced++;
                }
                else
                {
                    db.VendorCredentials.Add(VendorCredential.Create(mac, row.Username, encrypted, row.Serial, row.Vendor, row.Notes, now, actor.Name));
                    added++;
                }
            }

            var name = string.IsNullOrWhiteSpace(fileName) ? "(unnamed upload)" : Path.GetFileName(fileName);
            db.AuditEvents.Add(AuditEvent.Record(actor, "credentials.imported", "credential-list", name,
                $"Imported vendor credentials from {name}: {added} new, {replaced} replaced", now));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return new CredentialImportResult(true, added, replaced, checkedNow);
        }
        catch (DbUpdateException)
        {
            // A concurrent import inserted one of these MACs between our read and our write
            // (the unique index on Mac catches it). Nothing was saved; the admin retries.
            await tx.RollbackAsync(CancellationToken.None);
            return CredentialImportResult.Refused(preview with
            {
                FileErrors = ["Another import changed the stored credentials at the same time; nothing was saved. Upload the file again."],
            });
        }
        finally
        {
            // Leave no half-applied entities in a context the caller may keep using.
            db.ChangeTracker.Clear();
        }
    }

    private static List<string> MacStrings(CredentialListPreview preview) =>
        preview.Rows.Where(r => r.Mac is not null).Select(r => r.Mac!.Value.ToString()).Distinct().ToList();
}
