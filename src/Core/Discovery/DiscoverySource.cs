namespace Portal.Core.Discovery;

/// <summary>Where discovery looks for BMCs: a DHCP lease file, a CIDR range, or one address.</summary>
public sealed class DiscoverySource
{
    public long Id { get; private set; }
    public DiscoverySourceKind Kind { get; private set; }
    /// <summary>File path, CIDR (10.0.0.0/24) or host, depending on <see cref="Kind"/>.</summary>
    public string Value { get; private set; } = "";
    public int Port { get; private set; } = 443;
    public bool UseHttps { get; private set; } = true;
    public bool Enabled { get; private set; } = true;
    /// <summary>For manual addresses: the login to use (vendor lists match by MAC, which a bare address lacks).</summary>
    public string? Username { get; private set; }
    public string? EncryptedPassword { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    private DiscoverySource() { }

    public static DiscoverySource Create(DiscoverySourceKind kind, string value, int port, bool useHttps, DateTimeOffset now,
        string? username = null, string? encryptedPassword = null)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("A discovery source needs a value.", nameof(value));
        if (port is < 1 or > 65535) throw new ArgumentException("The port must be between 1 and 65535.", nameof(port));
        return new DiscoverySource
        {
            Kind = kind, Value = value.Trim(), Port = port, UseHttps = useHttps, CreatedAt = now,
            Username = username, EncryptedPassword = encryptedPassword,
        };
    }

    public void Enable(bool enabled) => Enabled = enabled;

    /// <summary>Where the BMCs behind this source answer (a fleet apply changes it in place, keeping any stored login).</summary>
    public void Connect(int port, bool useHttps)
    {
        if (port is < 1 or > 65535) throw new ArgumentException("The port must be between 1 and 65535.", nameof(port));
        Port = port;
        UseHttps = useHttps;
    }
}

public enum DiscoverySourceKind { DnsmasqLeases, IscLeases, Cidr, Address }
