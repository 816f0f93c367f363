using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Provisioning;

/// <summary>
/// How a run's netboot token is kept: its SHA-256 for lookup (what a request presents is hashed
/// and compared), and a copy encrypted with Data Protection, because the installer script that
/// carries the token is served again (a machine that reboots into iPXE) exactly as first served.
/// The key ring is encrypted with a key the database does not hold, so a dump opens no run.
/// </summary>
public sealed class DeploymentTokens(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Portal.NetbootTokens.v1");

    /// <summary>Lower-case hex SHA-256 of the token: 256 random bits need no salt.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public string Protect(string token) => protector.Protect(token);

    /// <summary>
    /// The token of a run, for rendering or serving its script again. A run from before tokens were
    /// encrypted has only its hash: it gets a new token (the old one stops working), which is safe
    /// because the machine fetching the script again is starting its installer over.
    /// </summary>
    public string Reveal(Deployment deployment) =>
        deployment.ProtectedToken is { } sealedToken ? protector.Unprotect(sealedToken) : deployment.RenewToken();
}

/// <summary>
/// Encrypts a newly issued token as its run is saved, whoever created the run (the workflow, a
/// test, a benchmark): the plain token never reaches the database.
/// </summary>
internal sealed class DeploymentTokenInterceptor(DeploymentTokens tokens) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Seal(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Seal(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Seal(DbContext? context)
    {
        if (context is null) return;
        context.ChangeTracker.DetectChanges(); // a loaded run whose token was renewed is Modified only once changes are detected
        foreach (var entry in context.ChangeTracker.Entries<Deployment>())
            if (entry.State is EntityState.Added or EntityState.Modified && entry.Entity is { IssuedToken: { } token, ProtectedToken: null })
                entry.Entity.Sealed(tokens.Protect(token));
    }
}
