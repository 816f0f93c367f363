namespace Portal.Machines;

/// <summary>What the release dialog answered: release, optionally wiping with a profile first.</summary>
public sealed record ReleaseChoice(long? WipeProfileId);
