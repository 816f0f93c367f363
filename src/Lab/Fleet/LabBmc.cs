using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Portal.Lab.Faults;
using Portal.Lab.Redfish;

namespace Portal.Lab;

/// <summary>
/// One simulated BMC: its own loopback address, certificate, factory credentials, systems,
/// sessions, faults and request counters. Everything mutable sits behind <see cref="Sync"/>
/// so thousands of BMCs never contend with each other.
/// </summary>
public sealed class LabBmc
{
    private FaultSettings faults;
    private readonly List<LabSystem> systems = [];

    internal LabBmc(int index, IPAddress address, string mac, string username, string password, string serial,
        VendorProfile profile, Guid serviceUuid, TimeSpan resetDelay, FaultSettings faults, LabOptions options)
    {
        Index = index;
        Address = address;
        Mac = mac;
        Username = username;
        Password = password;
        SerialNumber = serial;
        Profile = profile;
        ServiceUuid = serviceUuid;
        ResetDelay = resetDelay;
        this.faults = faults;
        HostName = profile.HostNamePrefix + serial;
        Security = new BmcSecurity(this, options);
    }

    internal object Sync { get; } = new();
    internal RequestCounter Counter { get; } = new();
    internal BmcSecurity Security { get; }
    internal Events.BmcEvents Events { get; } = new();
    internal TimeSpan ResetDelay { get; }

    public int Index { get; }
    public IPAddress Address { get; }
    public int Port { get; internal set; }
    public bool Https { get; internal set; }

    /// <summary>e.g. https://127.0.10.1:43123/ — the Redfish service root is at /redfish/v1.</summary>
    public Uri BaseUri => new($"{(Https ? "https" : "http")}://{Address}:{Port}/");

    /// <summary>The BMC's own NIC MAC (what DHCP and the vendor list know it by), aa:bb:cc:dd:ee:ff.</summary>
    public string Mac { get; }

    /// <summary>Host name the BMC sends to DHCP (appears in the lease file).</summary>
    public string HostName { get; }

    public string Username { get; }
    public string Password { get; }

    /// <summary>Serial on the vendor list: the machine's, or the enclosure's for a blade chassis.</summary>
    public string SerialNumber { get; }

    public VendorProfile Profile { get; }

    /// <summary>ServiceRoot UUID (and the manager's).</summary>
    public Guid ServiceUuid { get; }

    private X509Certificate2? certificate;

    public X509Certificate2? Certificate
    {
        get => Volatile.Read(ref certificate);
        internal set => Volatile.Write(ref certificate, value);
    }

    /// <summary>SHA-256 of the certificate presented now (hex, upper case), as a Portal pins it.</summary>
    public string? CertificateSha256 => Certificate?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);

    private SslServerAuthenticationOptions? tlsOptions;

    /// <summary>Built on the first TLS handshake, so starting a thousand BMCs stays cheap.</summary>
    internal SslServerAuthenticationOptions TlsOptions => LazyInitializer.EnsureInitialized(ref tlsOptions, () => new SslServerAuthenticationOptions
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(Certificate!, additionalCertificates: null, offline: true),
        ClientCertificateRequired = false,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    });

    /// <summary>
    /// Presents <paramref name="replacement"/> from the next handshake on. The old certificate is
    /// not disposed: a handshake in flight may still be using it.
    /// </summary>
    internal void ReplaceCertificate(X509Certificate2 replacement)
    {
        Certificate = replacement;
        Volatile.Write(ref tlsOptions, null);
    }

    public IReadOnlyList<LabSystem> Systems => systems;

    /// <summary>Faults in force; replace the record to change them (thread-safe).</summary>
    public FaultSettings Faults
    {
        get => Volatile.Read(ref faults);
        set => Volatile.Write(ref faults, value ?? FaultSettings.None);
    }

    public BmcStats Stats => Counter.Snapshot(Security.Count, Events.OpenStreams);

    /// <summary>Ends every Redfish session (a BMC reboot): clients get 401 and must log in again.</summary>
    public void ExpireSessions() => Security.Clear();

    /// <summary>Ends every open event stream (clients must reconnect).</summary>
    public void DropEventStreams() => Events.DropAll();

    public void ResetStats() => Counter.Reset();

    /// <summary>Clears a bad-login lockout at once (an operator's "unlock account").</summary>
    public void Unlock() => Security.Unlock();

    /// <summary>True while repeated bad logins keep the account locked.</summary>
    public bool IsLockedOut => Security.IsLocked;

    public LabSystem? FindSystem(string id) => systems.FirstOrDefault(s => s.Id == id);

    internal void Add(LabSystem system) => systems.Add(system);

    public override string ToString() => $"{Profile.Name} BMC {Address} ({Mac})";
}
