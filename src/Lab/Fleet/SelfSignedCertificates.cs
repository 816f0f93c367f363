using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Lab.Fleet;

/// <summary>
/// A self-signed certificate per BMC, as real BMCs ship. ECDSA P-256: a key takes well under a
/// millisecond, so a thousand BMCs get theirs in a fraction of a second (RSA would take minutes).
/// </summary>
internal static class SelfSignedCertificates
{
    public static X509Certificate2 Create(string hostName, IPAddress address, string organisation)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}, O={organisation.Replace(",", "")}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address);
        san.AddDnsName(hostName.ToLowerInvariant());
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }
}
