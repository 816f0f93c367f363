namespace Portal.Cli.Fleet;

// The /api/v1/fleet document as the CLI reads and writes it: the same fields, in the order the YAML files show them.

internal sealed class FleetDocument
{
    public List<FleetProfile>? OsProfiles { get; set; }
    public List<FleetTemplate>? Templates { get; set; }
    public List<FleetTemplate>? Snippets { get; set; }
    public List<FleetSource>? DiscoverySources { get; set; }
    public List<FleetMachineTags>? Tags { get; set; }
}

internal sealed class FleetProfile
{
    public string Name { get; set; } = "";
    public string InstallerKind { get; set; } = "";
    public string KernelUrl { get; set; } = "";
    public List<string> InitrdUrls { get; set; } = [];
    public string? KernelArgs { get; set; }
    public string Template { get; set; } = "";
    public SortedDictionary<string, string>? DefaultParameters { get; set; }
    public bool RestartAfterInstall { get; set; }
    public bool TokenBoundToAddress { get; set; } = true;
    public bool FailOnPlatformMismatch { get; set; }
}

internal sealed class FleetTemplate
{
    public string Name { get; set; } = "";
    public string Text { get; set; } = "";
}

internal sealed class FleetSource
{
    public string Kind { get; set; } = "";
    public string Value { get; set; } = "";
    public int Port { get; set; } = 443;
    public bool UseHttps { get; set; } = true;
    public bool Enabled { get; set; } = true;
    public string? Username { get; set; }
}

internal sealed class FleetMachineTags
{
    public string Machine { get; set; } = "";
    public Guid? Uuid { get; set; }
    public string? Serial { get; set; }
    public List<string> Tags { get; set; } = [];
}
