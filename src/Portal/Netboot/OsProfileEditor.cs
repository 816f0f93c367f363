using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Reservations;

namespace Portal.Netboot;

/// <summary>Saves an OS profile from the editor. A refusal names the field it is about, so the page shows it there.</summary>
internal sealed class OsProfileEditor(AppDbContext db, TimeProvider clock)
{
    public sealed record Result(Outcome Outcome, string? Field = null, long? Id = null);

    public async Task<Result> SaveAsync(long? id, OsProfileInput input, Actor actor)
    {
        if (!OsProfileInput.TryParseParameters(input.Parameters, out var parameters, out var error))
            return new(Outcome.Invalid(error), nameof(OsProfileInput.Parameters));
        OsProfile? profile = null;
        if (id is not null && (profile = await db.OsProfiles.FindAsync(id.Value)) is null) return new(Outcome.NotFound("No such profile."));
        var now = clock.GetUtcNow();
        try
        {
            if (profile is null)
            {
                profile = OsProfile.Create(input.Name, input.Kind, input.KernelUrl, input.Initrds, input.KernelArgs, input.TemplateName, parameters, builtIn: false, now);
                db.OsProfiles.Add(profile);
            }
            else profile.Update(input.Name, input.Kind, input.KernelUrl, input.Initrds, input.KernelArgs, input.TemplateName, parameters, now);
            profile.SetRestartAfterInstall(input.RestartAfterInstall, now);
            profile.SetTokenBoundToAddress(input.TokenBoundToAddress, now);
            profile.SetFailOnPlatformMismatch(input.FailOnPlatformMismatch, now);
            profile.SetDiskFirstBootOrder(input.SetsDiskFirstBootOrder, now);
        }
        catch (ArgumentException e)
        {
            // The entity's rules name their parameter: nameof(kernelUrl) is the KernelUrl field.
            var field = e.ParamName is { Length: > 0 } p ? char.ToUpperInvariant(p[0]) + p[1..] : null;
            return new(Outcome.Invalid(e.Message.Split(" (Parameter")[0]), field);
        }
        var name = profile.Name;
        if (await db.OsProfiles.AnyAsync(p => p.Name == name && p.Id != profile.Id))
            return new(Outcome.Invalid($"A profile called \"{name}\" exists already."), nameof(OsProfileInput.Name));
        db.AuditEvents.Add(AuditEvent.Record(actor, id is null ? "os-profile.created" : "os-profile.updated", "os-profile", id?.ToString(), $"OS profile {name}", now));
        await db.SaveChangesAsync();
        return new(Outcome.Done($"Saved {name}."), Id: profile.Id);
    }
}
