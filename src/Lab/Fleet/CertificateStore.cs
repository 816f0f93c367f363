using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Fleet;

/// <summary>
/// Keeps each BMC's self-signed certificate and private key under &lt;output&gt;/certs, so a
/// restarted lab presents the same certificates and a Portal that pinned them on first use still
/// trusts them — a real BMC keeps its certificate across reboots too. One PEM file per BMC
/// (certificate + PKCS#8 key), mode 600 in a 700 directory: it holds a private key.
/// </summary>
internal sealed class CertificateStore(string directory, ILogger logger)
{
    public const string DirectoryName = "certs";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    public string Directory { get; } = directory;

    /// <summary>A store under the fleet's output directory, its folder created owner-only.</summary>
    public static CertificateStore Open(string outputDirectory, ILogger logger)
    {
        var dir = Path.Combine(outputDirectory, DirectoryName);
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(dir);
        else
        {
            System.IO.Directory.CreateDirectory(dir, OwnerOnlyDirectory);
            // CreateDirectory leaves an existing folder's mode alone; a key folder must not be readable by others.
            File.SetUnixFileMode(dir, OwnerOnlyDirectory);
        }
        return new CertificateStore(dir, logger);
    }

    public string PathOf(LabBmc bmc) => Path.Combine(Directory, $"{bmc.Address}.pem");

    /// <summary>The stored certificate when it still fits the BMC, else a new one (written).</summary>
    public X509Certificate2 LoadOrCreate(LabBmc bmc, DateTimeOffset now)
    {
        var path = PathOf(bmc);
        if (File.Exists(path))
        {
            var reason = TryLoad(path, bmc, now, out var stored);
            if (stored is not null) return stored;
            logger.LogInformation("Lab BMC {Address}: stored certificate not reused ({Reason}); making a new one", bmc.Address, reason);
        }
        return CreateAndSave(bmc);
    }

    /// <summary>A new key and certificate for the BMC, replacing the stored one.</summary>
    public X509Certificate2 CreateAndSave(LabBmc bmc)
    {
        var certificate = SelfSignedCertificates.Create(bmc.HostName, bmc.Address, bmc.Profile.Vendor);
        Save(PathOf(bmc), certificate);
        return certificate;
    }

    private static string? TryLoad(string path, LabBmc bmc, DateTimeOffset now, out X509Certificate2? certificate)
    {
        certificate = null;
        X509Certificate2 loaded;
        try
        {
            var pem = File.ReadAllText(path);
            loaded = X509Certificate2.CreateFromPem(pem, pem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            return $"unreadable: {e.Message}";
        }
        var problem = Misfit(loaded, bmc, now);
        if (problem is not null)
        {
            loaded.Dispose();
            return problem;
        }
        certificate = loaded;
        return null;
    }

    /// <summary>Why a stored certificate no longer belongs to this BMC, or null when it does.</summary>
    private static string? Misfit(X509Certificate2 certificate, LabBmc bmc, DateTimeOffset now)
    {
        // A day of margin: a certificate about to run out would fail a Portal mid-run.
        if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime.AddDays(1)) return $"expires {certificate.NotAfter:u}";
        if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime) return $"not valid before {certificate.NotBefore:u}";
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return "no subject alternative names";
        if (!san.EnumerateIPAddresses().Any(a => a.Equals(bmc.Address))) return $"its SAN does not name {bmc.Address}";
        if (!san.EnumerateDnsNames().Any(n => string.Equals(n, bmc.HostName, StringComparison.OrdinalIgnoreCase))) return $"its SAN does not name {bmc.HostName}";
        if (!certificate.HasPrivateKey) return "no private key";
        return null;
    }

    /// <summary>Written to a temporary owner-only file and renamed, so a reader never sees half a key.</summary>
    private static void Save(string path, X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("Lab certificates carry an ECDSA key.");
        var pem = certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnlyFile;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(pem);
        // UnixCreateMode only applies to a new file; a leftover temp file keeps its old mode.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, OwnerOnlyFile);
        File.Move(temp, path, overwrite: true);
    }
}
