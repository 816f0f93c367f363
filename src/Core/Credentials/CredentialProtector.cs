using Microsoft.AspNetCore.DataProtection;

namespace Portal.Core.Credentials;

/// <summary>Encrypts BMC passwords at rest with Data Protection (key ring in the database).</summary>
public sealed class CredentialProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Portal.BmcPasswords.v1");

    public string Protect(string password) => protector.Protect(password);

    public string Unprotect(string encrypted) => protector.Unprotect(encrypted);
}
