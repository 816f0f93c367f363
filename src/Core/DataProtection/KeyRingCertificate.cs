using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.DataProtection;

/// <summary>
/// The certificate that encrypts the Data Protection key ring. The ring lives in the database next
/// to the BMC passwords and sessions it protects, so its keys must be encrypted with something the
/// database does not hold: a dump alone then opens no password and mints no cookie.
/// </summary>
public static class KeyRingCertificate
{
    /// <summary>Configuration key: a PEM file (certificate and private key) or a PKCS#12 (.pfx/.p12) file.</summary>
    public const string ConfigKey = "DataProtection:KeyRingCertificate";
    public const string PasswordConfigKey = "DataProtection:KeyRingCertificatePassword";

    /// <summary>How to make one, for the error a Portal without one stops with.</summary>
    public const string HowToCreate =
        "Create one with `openssl req -x509 -newkey rsa:3072 -nodes -days 36500 -subj '/CN=Portal key ring' -keyout key.pem -out cert.pem " +
        "&& cat key.pem cert.pem > keyring.pem && chmod 600 keyring.pem && rm key.pem cert.pem`, keep it outside the database (and its backups), " +
        "and set DataProtection__KeyRingCertificate to its path. Every Portal instance on one database needs the same file.";

    /// <summary>New keys are encrypted with the certificate; keys it encrypted are decrypted with it.</summary>
    public static IServiceCollection ProtectKeyRingWith(this IServiceCollection services, string path, string? password = null)
    {
        services.AddDataProtection().ProtectKeysWithCertificate(Load(path, password));
        return services;
    }

    public static X509Certificate2 Load(string path, string? password = null)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"The key ring certificate {path} ({ConfigKey}) does not exist. {HowToCreate}");
        X509Certificate2 certificate;
        try
        {
            certificate = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
                : X509Certificate2.CreateFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"The key ring certificate {path} ({ConfigKey}) could not be read: {e.Message}. {HowToCreate}", e);
        }
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"The key ring certificate {path} ({ConfigKey}) has no private key: the Portal could encrypt keys but never read them again. {HowToCreate}");
        return certificate;
    }
}
