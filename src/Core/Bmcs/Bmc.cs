namespace Portal.Core.Bmcs;

/// <summary>
/// A baseboard management controller found by discovery. Its password is stored encrypted with
/// Data Protection (see <see cref="Credentials.CredentialProtector"/>) and is never shown again.
/// </summary>
public sealed class Bmc
{
    public long Id { get; private set; }
    /// <summary>Normalised MAC (aa:bb:cc:dd:ee:ff); the key vendor credential lists use.</summary>
    public string Mac { get; private set; } = "";
    public string Address { get; private set; } = "";
    public int Port { get; private set; } = 443;
    public bool UseHttps { get; private set; } = true;
    public string? Vendor { get; private set; }
    public string? Model { get; private set; }
    public string? Firmware { get; private set; }
    public BmcStatus Status { get; private set; } = BmcStatus.PendingCredentials;
    public string? LastError { get; private set; }
    public DateTimeOffset? LastSeenAt { get; private set; }
    public DateTimeOffset? LastInventoryAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public CredentialSource CredentialSource { get; private set; }
    public string? Username { get; private set; }
    public string? EncryptedPassword { get; private set; }
    /// <summary>SHA-256 of the certificate seen first (pin on first use); a different one is refused.</summary>
    public string? PinnedCertificateSha256 { get; private set; }
    /// <summary>
    /// While <see cref="BmcStatus.TlsCertificateChanged"/>: SHA-256 of the certificate the BMC
    /// presents instead, for an admin to compare and confirm (<see cref="TrustPresentedCertificate"/>).
    /// </summary>
    public string? PresentedCertificateSha256 { get; private set; }

    private Bmc() { }

    public static Bmc Discovered(string mac, string address, int port, bool useHttps, DateTimeOffset now) => new()
    {
        Mac = mac, Address = address, Port = port, UseHttps = useHttps, CreatedAt = now, LastSeenAt = now,
    };

    public bool HasCredentials => Username is not null && EncryptedPassword is not null;

    /// <summary>A BMC moves when DHCP gives it another address; the MAC is what identifies it.</summary>
    public void SeenAt(string address, int port, bool useHttps, DateTimeOffset now)
    {
        Address = address; Port = port; UseHttps = useHttps; LastSeenAt = now;
    }

    public void UseCredentials(string username, string encryptedPassword, CredentialSource source)
    {
        Username = username; EncryptedPassword = encryptedPassword; CredentialSource = source;
        if (Status == BmcStatus.PendingCredentials || Status == BmcStatus.AuthFailed) Status = BmcStatus.PendingCredentials;
    }

    public void AwaitCredentials(DateTimeOffset now)
    {
        Status = BmcStatus.PendingCredentials;
        LastError = "No credentials: no vendor list entry matches this BMC's MAC and none were entered by hand.";
        LastSeenAt = now;
    }

    public void PinCertificate(string? sha256) => PinnedCertificateSha256 ??= sha256;

    public void Inventoried(string? vendor, string? model, string? firmware, DateTimeOffset now)
    {
        Vendor = vendor ?? Vendor; Model = model ?? Model; Firmware = firmware ?? Firmware;
        Status = BmcStatus.Reachable; LastError = null; LastSeenAt = now; LastInventoryAt = now;
        PresentedCertificateSha256 = null;
    }

    public void Failed(BmcStatus status, string error)
    {
        if (status == BmcStatus.Reachable) throw new ArgumentException("A failure needs a failure status.", nameof(status));
        if (status == BmcStatus.TlsCertificateChanged) throw new ArgumentException("A changed certificate is recorded with CertificateChanged, which keeps what was presented.", nameof(status));
        Status = status;
        LastError = Truncate(error);
        // Only a BMC seen presenting another certificate has one to confirm.
        PresentedCertificateSha256 = null;
    }

    /// <summary>The BMC presented <paramref name="presentedSha256"/> instead of the pinned certificate.</summary>
    public void CertificateChanged(string presentedSha256, string error)
    {
        Status = BmcStatus.TlsCertificateChanged;
        LastError = Truncate(error);
        PresentedCertificateSha256 = CertificateThumbprint.Normalize(presentedSha256)
            ?? throw new ArgumentException($"Not a SHA-256 thumbprint: '{presentedSha256}'.", nameof(presentedSha256));
    }

    /// <summary>
    /// An admin confirmed the BMC was re-certified: pin the certificate it presents now. The admin
    /// names the thumbprint they compared; when the BMC has since presented another one (or none),
    /// the confirmation is stale and refused, so nobody pins a certificate they never saw.
    /// </summary>
    public void TrustPresentedCertificate(string confirmedSha256)
    {
        var confirmed = CertificateThumbprint.Normalize(confirmedSha256)
            ?? throw new ArgumentException($"Not a SHA-256 thumbprint: '{confirmedSha256}' (64 hex digits, colons allowed).", nameof(confirmedSha256));
        if (Status != BmcStatus.TlsCertificateChanged || PresentedCertificateSha256 is null)
            throw new InvalidOperationException($"BMC {Mac} has no changed certificate to trust (status {Status}).");
        if (confirmed != PresentedCertificateSha256)
            throw new InvalidOperationException(
                $"BMC {Mac} now presents SHA-256 {PresentedCertificateSha256}, not the {confirmed} that was confirmed: compare the new thumbprint and confirm again.");
        PinnedCertificateSha256 = PresentedCertificateSha256;
        PresentedCertificateSha256 = null;
        // Not Reachable until an inventory over the new pin says so.
        LastError = $"Certificate SHA-256 {PinnedCertificateSha256} trusted by an admin; waiting for the next inventory.";
    }

    private static string Truncate(string error) => error.Length > 1000 ? error[..1000] : error;
}

public enum BmcStatus
{
    PendingCredentials,
    Reachable,
    AuthFailed,
    Unreachable,
    /// <summary>The BMC presented a certificate other than the pinned one: possibly a replaced BMC, possibly an attack.</summary>
    TlsCertificateChanged,
    /// <summary>Answered, but with something that is not usable Redfish.</summary>
    Error,
}

public enum CredentialSource { None, VendorList, Manual }
