using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Core.Credentials;

/// <summary>Encrypts BMC passwords at rest with Data Protection (key ring in the database).</summary>
public sealed class CredentialProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Portal.BmcPasswords.v1");

    public string Protect(string password) => protector.Protect(password);

    public string Unprotect(string encrypted) => protector.Unprotect(encrypted);

    /// <summary>
    /// False when this Portal's key ring cannot open the password (a database restored without its
    /// key ring, a revoked key): the caller reports it for that one entry instead of failing a whole run.
    /// </summary>
    public bool TryUnprotect(string encrypted, out string password)
    {
        try
        {
            password = protector.Unprotect(encrypted);
            return true;
        }
        catch (CryptographicException)
        {
            password = "";
            return false;
        }
    }

    /// <summary>What to tell the operator when <see cref="TryUnprotect"/> fails, for the entry named.</summary>
    public static string Unreadable(string what) =>
        $"{what}: the stored password cannot be decrypted with this Portal's key ring (was the database restored without its keys?); enter the password again.";
}
