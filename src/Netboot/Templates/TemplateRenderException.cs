namespace Portal.Netboot.Templates;

/// <summary>
/// A template could not be rendered completely. Thrown instead of returning partial output, so
/// a machine never receives a half-filled kickstart or script; the message is meant for the
/// admin's template preview and the deployment timeline.
/// </summary>
public sealed class TemplateRenderException(string templateName, string message, Exception? inner = null)
    : NetbootRenderException($"Template '{templateName}': {message}", inner)
{
    public string TemplateName { get; } = templateName;

    /// <summary>The variable path that was not defined (e.g. <c>deployment.params.repo</c>), when that was the cause.</summary>
    public string? UnknownVariable { get; init; }

    /// <summary>The snippet (partial) that was referenced but does not exist, when that was the cause.</summary>
    public string? MissingSnippet { get; init; }
}
