namespace Portal.Lab;

/// <summary>The built-in vendor profiles. Names are what <see cref="LabOptions.Profiles"/> takes.</summary>
public static class VendorProfiles
{
    private static readonly string[] AllResets =
        ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "GracefulRestart", "PowerCycle", "Nmi"];

    public static readonly VendorProfile Dell = new()
    {
        Name = "dell", Vendor = "Dell Inc.", Product = "Integrated Dell Remote Access Controller",
        ManagerModel = "iDRAC9", FirmwareVersion = "7.00.00.172", ManagerId = "iDRAC.Embedded.1",
        SystemId = "System.Embedded.1", DefaultUsername = "root", SerialPattern = "#AAX#X#",
        Models = ["PowerEdge R650", "PowerEdge R750", "PowerEdge R6525", "PowerEdge R7525", "PowerEdge R760", "PowerEdge XE8545"],
        BmcOui = "d0:94:66", ResetTypes = ["On", "ForceOff", "ForceRestart", "GracefulRestart", "GracefulShutdown", "PushPowerButton", "Nmi", "PowerCycle"],
        CsvMacStyle = "COLON", HostNamePrefix = "idrac-", ServerSentEvents = true, NumberedPowerMessages = true,
    };

    /// <summary>If-Match required on PATCH (428 without it).</summary>
    public static readonly VendorProfile Hpe = new()
    {
        Name = "hpe", Vendor = "HPE", Product = "ProLiant", ManagerModel = "iLO 6", FirmwareVersion = "iLO 6 v1.59",
        ManagerId = "1", SystemId = "1", DefaultUsername = "Administrator", SerialPattern = "CZ#AA##XXX",
        Models = ["ProLiant DL360 Gen10 Plus", "ProLiant DL380 Gen10", "ProLiant DL385 Gen10 Plus v2", "ProLiant DL380 Gen11"],
        BmcOui = "94:40:c9", ResetTypes = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "Nmi", "PushPowerButton", "GracefulRestart"],
        RequiresIfMatch = true, CsvMacStyle = "dash", HostNamePrefix = "ilo",
    };

    public static readonly VendorProfile Lenovo = new()
    {
        Name = "lenovo", Vendor = "Lenovo", Product = "Lenovo XClarity Controller", ManagerModel = "XClarity Controller 2",
        FirmwareVersion = "ESI372H-3.70", ManagerId = "1", SystemId = "1", DefaultUsername = "USERID", SerialPattern = "J30XXXXX",
        Models = ["ThinkSystem SR630 V2", "ThinkSystem SR650 V2", "ThinkSystem SR665", "ThinkSystem SR650 V3"],
        BmcOui = "08:94:ef", ResetTypes = AllResets, HostNamePrefix = "XCC-", ServerSentEvents = true,
    };

    /// <summary>Older firmware: SimpleStorage only, no BootOrder/BootOptions over Redfish, MACs without separators in the credential list.</summary>
    public static readonly VendorProfile Supermicro = new()
    {
        Name = "supermicro", Vendor = "Supermicro", Product = "Supermicro Redfish Service", ManagerModel = "ASPEED AST2500",
        FirmwareVersion = "01.73.12", ManagerId = "1", SystemId = "1", DefaultUsername = "ADMIN", SerialPattern = "S###########X",
        Models = ["SYS-1029U-TRT", "SYS-2029U-TR4", "AS-1124US-TNRP", "SYS-6019P-WTR"],
        BmcOui = "3c:ec:ef", ResetTypes = ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn"],
        SimpleStorageOnly = true, BootOrder = false, CsvMacStyle = "bare", HostNamePrefix = "SMC",
    };

    /// <summary>GPU-heavy boxes whose BMC takes seconds to act on a Reset.</summary>
    public static readonly VendorProfile Gigabyte = new()
    {
        Name = "gigabyte", Vendor = "GIGABYTE", Product = "GIGABYTE Redfish", ManagerModel = "AMI MegaRAC SP-X",
        FirmwareVersion = "12.61.21", ManagerId = "Self", SystemId = "Self", DefaultUsername = "admin", SerialPattern = "GJG#N#######",
        Models = ["G292-Z20", "G482-Z54", "R282-Z90", "R182-Z91"],
        BmcOui = "18:c0:4d", ResetTypes = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "GracefulRestart", "PowerCycle"],
        ResetDelay = TimeSpan.FromSeconds(4), GpuShare = 0.8, HostNamePrefix = "gbt-", ServerSentEvents = true,
    };

    /// <summary>A blade enclosure: one BMC (chassis manager) for four blade systems.</summary>
    public static readonly VendorProfile Blade = new()
    {
        Name = "blade", Vendor = "Supermicro", Product = "MicroBlade CMM", ManagerModel = "MicroBlade CMM",
        FirmwareVersion = "1.08.05", ManagerId = "CMM", SystemId = "Blade", DefaultUsername = "ADMIN", SerialPattern = "MB###A######",
        Models = ["MBI-6219G-T", "MBI-6128R-T2"],
        BmcOui = "ac:1f:6b", ResetTypes = ["On", "ForceOff", "GracefulShutdown", "ForceRestart"],
        SystemsPerBmc = 4, GpuShare = 0, HostNamePrefix = "cmm-",
    };

    public static readonly IReadOnlyList<VendorProfile> All = [Dell, Hpe, Lenovo, Supermicro, Gigabyte, Blade];

    /// <summary>Round-robin order; any eight consecutive BMCs from index 0 include every profile.</summary>
    public static readonly IReadOnlyList<string> DefaultMix = ["dell", "hpe", "lenovo", "supermicro", "gigabyte", "blade", "dell", "lenovo"];

    public static VendorProfile Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown lab vendor profile '{name}'. Known: {string.Join(", ", All.Select(p => p.Name))}.");
}
