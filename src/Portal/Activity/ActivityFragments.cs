using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Persistence;

namespace Portal.Activity;

internal static class ActivityFragments
{
    public static void MapActivityFragments(this WebApplication app) =>
        app.MapGet("/fragments/activity", async Task<RazorComponentResult<RecentActivity>> (AppDbContext db, HttpContext http, TimeProvider clock) =>
            new RazorComponentResult<RecentActivity>(new
            {
                Events = await db.RecentForAsync(http.User, http.RequestAborted),
                RenderedAt = clock.GetUtcNow(),
            }))
            .ExcludeFromDescription();
}
