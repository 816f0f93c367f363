namespace Portal.Lab.Control;

/// <summary>JSON shapes of the control API: the ground truth a test compares a client's inventory with.</summary>
internal static class ControlViews
{
    public static object Bmc(LabBmc b) => new
    {
        b.Index,
        Address = b.Address.ToString(),
        b.Port,
        Uri = b.BaseUri.ToString(),
        b.Mac,
        b.HostName,
        b.Username,
        b.Password,
        b.SerialNumber,
        b.CertificateSha256,
        Profile = b.Profile.Name,
        b.Profile.Vendor,
        Quirks = new
        {
            b.Profile.RequiresIfMatch,
            b.Profile.SimpleStorageOnly,
            ResetDelayMs = (int)b.ResetDelay.TotalMilliseconds,
            b.Profile.SystemsPerBmc,
            b.Profile.ResetTypes,
        },
        LockedOut = b.IsLockedOut,
        b.Faults,
        b.Stats,
        Systems = b.Systems.Select(System),
    };

    private static object System(LabSystem s) => new
    {
        s.Id,
        s.RedfishPath,
        s.PowerState,
        s.Boot,
        s.LastBootSource,
        s.PowerOnCount,
        s.IsVmBacked,
        s.IsVmRunning,
        s.VmLogPath,
        s.IsNetbooting,
        s.NetbootFaults,
        Facts = new
        {
            s.Facts.Uuid,
            s.Facts.SerialNumber,
            s.Facts.Manufacturer,
            s.Facts.Model,
            s.Facts.BiosVersion,
            s.Facts.CpuModel,
            s.Facts.Sockets,
            Cores = s.Facts.TotalCores,
            Threads = s.Facts.TotalThreads,
            s.Facts.MemoryBytes,
            s.Facts.Disks,
            s.Facts.Nics,
            s.Facts.Gpus,
        },
    };
}
