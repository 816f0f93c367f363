using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>Unknown firmware: one row per identity, counted, upserted in one statement so a boot storm never duplicates.</summary>
internal static class Sightings
{
    public static Task RecordAsync(AppDbContext db, BootQuery query, string? remoteAddress, DateTimeOffset now, CancellationToken ct)
    {
        var key = NetbootSighting.KeyFor(query.Mac, query.Uuid);
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO "NetbootSightings" ("Key", "Mac", "Uuid", "Serial", "BuildArch", "Platform", "RemoteAddress", "FirstSeenAt", "LastSeenAt", "Count")
            VALUES ({key}, {query.Mac}::text, {query.Uuid}::uuid, {query.Serial}::text, {query.BuildArch}::text, {query.Platform}::text, {remoteAddress}::text, {now}, {now}, 1)
            ON CONFLICT ("Key") DO UPDATE SET
                "Uuid" = COALESCE(EXCLUDED."Uuid", "NetbootSightings"."Uuid"),
                "Serial" = COALESCE(EXCLUDED."Serial", "NetbootSightings"."Serial"),
                "BuildArch" = COALESCE(EXCLUDED."BuildArch", "NetbootSightings"."BuildArch"),
                "Platform" = COALESCE(EXCLUDED."Platform", "NetbootSightings"."Platform"),
                "RemoteAddress" = EXCLUDED."RemoteAddress",
                "LastSeenAt" = EXCLUDED."LastSeenAt",
                "Count" = "NetbootSightings"."Count" + 1
            """, ct);
    }
}
