using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Serving;

/// <summary>
/// Adds the starter profiles a fresh install is missing (by name), at start-up. Profiles that exist
/// are left alone, so an admin's edits survive restarts; deleting one brings it back next start.
/// </summary>
internal sealed class BuiltinProfileSeeder(IServiceScopeFactory scopes, TimeProvider clock, ILogger<BuiltinProfileSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var existing = await db.OsProfiles.Select(p => p.Name).ToListAsync(cancellationToken);
        var missing = BuiltinProfiles.All.Where(p => !existing.Contains(p.Name)).ToList();
        if (missing.Count == 0) return;
        foreach (var p in missing)
        {
            var profile = OsProfile.Create(p.Name, p.Kind.ToCore(), p.KernelUrl, p.InitrdUrls, p.KernelArgs, p.TemplateName,
                p.DefaultParameters, builtIn: true, clock.GetUtcNow());
            if (BuiltinProfiles.RestartsAfterInstall(p)) profile.SetRestartAfterInstall(true, clock.GetUtcNow());
            db.OsProfiles.Add(profile);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("Added {Count} built-in OS profiles", missing.Count);
        }
        catch (DbUpdateException e)
        {
            // Another instance starting at the same time may have added them first; anything else is real.
            db.ChangeTracker.Clear();
            var now = await db.OsProfiles.Select(p => p.Name).ToListAsync(cancellationToken);
            if (BuiltinProfiles.All.Any(p => !now.Contains(p.Name))) throw new InvalidOperationException("Could not add the built-in OS profiles.", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
