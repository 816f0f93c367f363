namespace Portal.Fleet;

/// <summary>
/// The fleet's configuration as data ("bootstrap as code"): what `portal export` writes as YAML and
/// `portal apply` sends back. A section left out (null) is not managed by that apply — neither changed
/// nor pruned. Never secrets: discovery sources carry their username only, never a password.
/// </summary>
public sealed record FleetDocument(
    List<FleetProfile>? OsProfiles, List<FleetTemplate>? Templates, List<FleetTemplate>? Snippets,
    List<FleetSource>? DiscoverySources, List<FleetMachineTags>? Tags);

/// <summary>An OS profile by name; <c>template</c> names a built-in or user template.</summary>
public sealed record FleetProfile(
    string Name, string InstallerKind, string KernelUrl, List<string> InitrdUrls, string? KernelArgs, string Template,
    Dictionary<string, string>? DefaultParameters, bool RestartAfterInstall = false, bool TokenBoundToAddress = true, bool FailOnPlatformMismatch = false);

/// <summary>A user template or snippet (overriding the built-in one of the same name): its current text.</summary>
public sealed record FleetTemplate(string Name, string Text);

/// <summary>A discovery source, identified by kind and value.</summary>
public sealed record FleetSource(string Kind, string Value, int Port = 443, bool UseHttps = true, bool Enabled = true, string? Username = null);

/// <summary>A machine's tags; the machine is found by UUID, else serial, else name.</summary>
public sealed record FleetMachineTags(string Machine, Guid? Uuid, string? Serial, List<string> Tags);

/// <summary>One line of an apply's plan: create, update or delete something, and what changes.</summary>
public sealed record FleetChange(string Action, string Kind, string Name, string? Detail = null);

/// <summary>
/// The answer to an apply: the plan (empty when the Portal already matches) and what was left alone
/// with why; <c>applied</c> is false for a dry run.
/// </summary>
public sealed record FleetPlan(bool Applied, IReadOnlyList<FleetChange> Changes, IReadOnlyList<string> Warnings);
