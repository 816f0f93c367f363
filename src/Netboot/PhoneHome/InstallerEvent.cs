using System.Text.Json;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.PhoneHome;

/// <summary>Where the installer is. The JSON names are the lowercase forms (<c>"pre"</c>, <c>"done"</c>...).</summary>
public enum InstallerPhase { Pre, Progress, Post, Done, Failed, Log }

/// <summary>
/// One phone-home event posted by an installer. <see cref="Facts"/> are what the installer saw
/// (usually sent with <c>pre</c>); <see cref="ExtraFacts"/> keeps fact names this version does not
/// know, so nothing an installer reports is lost.
/// </summary>
public sealed record InstallerEvent(
    InstallerPhase Phase,
    string Message,
    int? Percent = null,
    HardwareFacts? Facts = null,
    IReadOnlyDictionary<string, JsonElement>? ExtraFacts = null)
{
    /// <summary>Ends the installer's part of the deployment (successfully or not).</summary>
    public bool IsFinal => Phase is InstallerPhase.Done or InstallerPhase.Failed;
}
