namespace Portal.Lab;

/// <summary>
/// A BMC vendor personality: names, ids, credentials style and the quirks a client must cope with.
/// </summary>
public sealed record VendorProfile
{
    public required string Name { get; init; }
    /// <summary>ServiceRoot Vendor, and the machines' Manufacturer.</summary>
    public required string Vendor { get; init; }
    public required string Product { get; init; }
    public required string ManagerModel { get; init; }
    public required string FirmwareVersion { get; init; }
    public required string ManagerId { get; init; }
    /// <summary>System id for one-system BMCs ("1", "System.Embedded.1"); blades use BladeN.</summary>
    public required string SystemId { get; init; }
    public required string DefaultUsername { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    /// <summary>Machine serial format: '#' = digit, 'A' = upper-case letter, 'X' = either, other characters literal.</summary>
    public required string SerialPattern { get; init; }
    /// <summary>First three bytes of the BMC MAC.</summary>
    public required string BmcOui { get; init; }
    public required IReadOnlyList<string> ResetTypes { get; init; }

    /// <summary>Quirk: PATCH without If-Match is refused with 428.</summary>
    public bool RequiresIfMatch { get; init; }
    /// <summary>Quirk: only the older SimpleStorage resource, no Storage/Drives.</summary>
    public bool SimpleStorageOnly { get; init; }
    /// <summary>Systems show Boot.BootOrder and BootOptions and accept a new order (older firmware does not: the order is only in its own setup menu).</summary>
    public bool BootOrder { get; init; } = true;
    /// <summary>Quirk: time between a Reset request and the PowerState change.</summary>
    public TimeSpan ResetDelay { get; init; }
    /// <summary>EventService offers a ServerSentEventUri stream (others only have the EventService resource).</summary>
    public bool ServerSentEvents { get; init; }
    /// <summary>
    /// Quirk: PowerState changes are announced with iDRAC's numbered messages (IDRAC.2.9.SYS1000
    /// "System is turning on.", SYS1001 "System is turning off.") instead of the ResourceEvent registry.
    /// </summary>
    public bool NumberedPowerMessages { get; init; }
    /// <summary>More than one → a blade chassis whose BMC manages several systems.</summary>
    public int SystemsPerBmc { get; init; } = 1;
    /// <summary>How likely a machine of this vendor carries GPUs (0..1).</summary>
    public double GpuShare { get; init; } = 0.25;
    /// <summary>How the vendor's credential list spells MACs: "colon", "COLON", "dash", "bare".</summary>
    public string CsvMacStyle { get; init; } = "colon";
    /// <summary>DHCP host name prefix the BMC announces.</summary>
    public required string HostNamePrefix { get; init; }
}
