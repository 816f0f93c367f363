using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Activity;

/// <summary>
/// What "recent activity" means for someone: everything for Admins (the audit log is theirs), each other
/// user's own actions — Operators included, who act on every machine but do not read the audit log.
/// </summary>
internal static class ActivityQuery
{
    public const int Size = 15;

    public static Task<List<AuditEvent>> RecentForAsync(this AppDbContext db, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var events = db.AuditEvents.AsNoTracking();
        if (!user.IsInRole(Roles.Admin))
        {
            var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
            events = events.Where(e => e.ActorId == id);
        }
        return events.OrderByDescending(e => e.Id).Take(Size).ToListAsync(ct);
    }
}
