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
    }

    public void Failed(BmcStatus status, string error)
    {
        if (status == BmcStatus.Reachable) throw new ArgumentException("A failure needs a failure status.", nameof(status));
        Status = status;
        LastError = error.Length > 1000 ? error[..1000] : error;
    }
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
