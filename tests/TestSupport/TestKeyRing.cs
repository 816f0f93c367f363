using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.TestSupport;

/// <summary>
/// The key ring certificate every test host uses (as `make run` creates one): one file per machine,
/// so Portal processes, second instances and test-side services on one database read the same ring.
/// </summary>
public static class TestKeyRing
{
    private static readonly Lazy<string> path = new(Create);

    public static string CertificatePath => path.Value;

    private static string Create()
    {
        var file = Path.Combine(Path.GetTempPath(), "portal-test-keyring.pem");
        if (File.Exists(file)) return file;
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Portal test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(100));
        var pem = rsa.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem() + "\n";
        // Written aside and moved in: test processes starting together all end up with the first one's file.
        var aside = file + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(aside, pem);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(aside, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try { File.Move(aside, file, overwrite: false); }
        catch (IOException) { File.Delete(aside); }
        return file;
    }
}
