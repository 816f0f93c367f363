namespace Portal.Lab.Netboot;

/// <summary>
/// What goes wrong in a simulated machine's netboot, for trying the Portal's failure paths.
/// Set for the whole lab in <see cref="LabOptions.NetbootFaults"/> or per BMC through the
/// control API (<c>PUT /lab/bmcs/{bmc}/netboot-faults</c>).
/// </summary>
public sealed record NetbootFaults
{
    public static readonly NetbootFaults None = new();

    /// <summary>The firmware ignores the network boot override and boots its disk: the Portal never hears from it.</summary>
    public bool FirmwareNeverAsks { get; init; }

    /// <summary>The firmware gets the bootstrap, but fetching the machine's own script fails (as on a flaky network).</summary>
    public bool ScriptFetchFails { get; init; }

    /// <summary>The installer reports a failure once it reaches this percentage (0-100); null = it does not fail.</summary>
    public int? InstallerFailsAtPercent { get; init; }

    /// <summary>The installer stops reporting after its first event and never finishes, until the machine is powered off.</summary>
    public bool InstallerHangs { get; init; }

    /// <summary>Null when the settings make sense, else what is wrong (for a 400 from the control API).</summary>
    public string? Validate() =>
        InstallerFailsAtPercent is < 0 or > 100 ? $"installerFailsAtPercent {InstallerFailsAtPercent} is outside 0-100" : null;
}
