using System.Collections.Concurrent;
using HandlebarsDotNet;
using HandlebarsDotNet.Compiler;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Templates;

/// <summary>
/// The templates and snippets rendering can use: the built-in ones with user-provided ones laid
/// over them by name (a user snippet called "kickstart-network" replaces the built-in one
/// everywhere it is included). Rendering is strict: an unknown variable or a missing snippet is a
/// <see cref="TemplateRenderException"/> naming it, never an empty string.
/// Immutable and thread-safe; compiled templates are cached, so build one per set of overrides.
/// </summary>
public sealed class TemplateSet
{
    private readonly IReadOnlyDictionary<string, string> _templates;
    private readonly IReadOnlyDictionary<string, string> _snippets;
    private readonly Lazy<IHandlebars> _handlebars;
    // Lazy, so the machines of a boot storm that render at once wait for one compile instead of each doing it
    // (a syntax error is kept too: the set is immutable, so it would fail the same way again).
    private readonly ConcurrentDictionary<string, Lazy<HandlebarsTemplate<object, object>>> _compiled = new(StringComparer.Ordinal);
    // Free texts by their text: a profile's kernel arguments are the same for every machine of a storm, and
    // compiling them per machine was a quarter of its CPU. Editor previews add texts too, so it is bounded.
    private readonly ConcurrentDictionary<string, Lazy<HandlebarsTemplate<object, object>>> _compiledTexts = new(StringComparer.Ordinal);
    private const int MaxCompiledTexts = 256;

    private TemplateSet(IReadOnlyDictionary<string, string> templates, IReadOnlyDictionary<string, string> snippets)
    {
        _templates = templates;
        _snippets = snippets;
        _handlebars = new Lazy<IHandlebars>(CreateHandlebars, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Only the built-in starter templates and snippets.</summary>
    public static TemplateSet Builtin { get; } = new(BuiltinTemplates.Templates, BuiltinTemplates.Snippets);

    /// <summary>A new set where the given templates and snippets replace or add to this one's, by name.</summary>
    public TemplateSet With(IEnumerable<TemplateSource>? templates = null, IEnumerable<TemplateSource>? snippets = null) =>
        new(Overlay(_templates, templates), Overlay(_snippets, snippets));

    public IReadOnlyCollection<string> TemplateNames => _templates.Keys.ToList();

    public IReadOnlyCollection<string> SnippetNames => _snippets.Keys.ToList();

    public string? TemplateText(string name) => _templates.GetValueOrDefault(name);

    public string? SnippetText(string name) => _snippets.GetValueOrDefault(name);

    /// <summary>Renders the profile's main template for a deployment: the exact kickstart / user-data / lab config to serve and store.</summary>
    public string RenderConfig(NetbootContext context) => Render(context.Profile.TemplateName, context);

    /// <summary>Renders a template of this set by name.</summary>
    public string Render(string templateName, NetbootContext context)
    {
        if (!_templates.ContainsKey(templateName))
            throw new TemplateRenderException(templateName, $"no template with this name (known: {string.Join(", ", _templates.Keys.Order(StringComparer.Ordinal))})");
        var compiled = _compiled.GetOrAdd(templateName, name => new Lazy<HandlebarsTemplate<object, object>>(() => Compile(name, _templates[name]))).Value;
        return Run(templateName, compiled, Model(templateName, context));
    }

    /// <summary>
    /// Renders text that is not (yet) part of the set — the editor's preview of unsaved changes, a
    /// profile's kernel arguments — with this set's snippets. <paramref name="name"/> is used in errors.
    /// </summary>
    public string RenderText(string name, string text, NetbootContext context)
    {
        if (!_compiledTexts.TryGetValue(text, out var compiled))
        {
            if (_compiledTexts.Count >= MaxCompiledTexts) _compiledTexts.Clear();
            compiled = _compiledTexts.GetOrAdd(text, t => new Lazy<HandlebarsTemplate<object, object>>(() => Compile(name, t)));
        }
        return Run(name, compiled.Value, Model(name, context));
    }

    private HandlebarsTemplate<object, object> Compile(string name, string text)
    {
        try
        {
            return _handlebars.Value.Compile(text);
        }
        catch (HandlebarsException e)
        {
            throw new TemplateRenderException(name, $"syntax error: {e.Message}", e);
        }
    }

    private static Dictionary<string, object?> Model(string name, NetbootContext context)
    {
        try
        {
            return TemplateModel.Build(context);
        }
        catch (NetbootRenderException e)
        {
            throw new TemplateRenderException(name, e.Message, e);
        }
    }

    private static string Run(string name, HandlebarsTemplate<object, object> template, object model)
    {
        try
        {
            return template(model);
        }
        catch (Exception e) when (e is HandlebarsException or HandlebarsUndefinedBindingException or MissingSnippetException)
        {
            // Errors raised inside a snippet arrive wrapped by the partial call; report the root cause.
            for (var cause = e; cause is not null; cause = cause.InnerException)
            {
                if (cause is HandlebarsUndefinedBindingException unknown)
                    throw new TemplateRenderException(name, $"unknown variable '{unknown.Path}'", e) { UnknownVariable = unknown.Path };
                if (cause is MissingSnippetException missing)
                    throw new TemplateRenderException(name, $"snippet '{missing.Snippet}' does not exist", e) { MissingSnippet = missing.Snippet };
            }
            throw new TemplateRenderException(name, e.Message, e);
        }
    }

    private IHandlebars CreateHandlebars()
    {
        var handlebars = Handlebars.Create(new HandlebarsConfiguration
        {
            // Strict: a typo in a variable name must fail the render, not install a machine with a blank in it.
            ThrowOnUnresolvedBindingExpression = true,
            // Output is kickstart / YAML / shell; quoting is explicit through the json and shell helpers.
            NoEscape = true,
            MissingPartialTemplateHandler = new MissingSnippetHandler(),
        });
        TemplateHelpers.Register(handlebars);
        foreach (var (name, text) in _snippets)
        {
            try
            {
                handlebars.RegisterTemplate(name, text);
            }
            catch (HandlebarsException e)
            {
                throw new TemplateRenderException(name, $"syntax error in snippet: {e.Message}", e);
            }
        }
        return handlebars;
    }

    private static Dictionary<string, string> Overlay(IReadOnlyDictionary<string, string> baseline, IEnumerable<TemplateSource>? overrides)
    {
        var result = new Dictionary<string, string>(baseline, StringComparer.Ordinal);
        foreach (var source in overrides ?? [])
        {
            if (!TemplateNamePattern.IsValid(source.Name))
                throw new TemplateRenderException(source.Name, "template and snippet names are letters, digits, '-' and '_' (1-64)");
            result[source.Name] = source.Text;
        }
        return result;
    }

    private sealed class MissingSnippetHandler : IMissingPartialTemplateHandler
    {
        public void Handle(ICompiledHandlebarsConfiguration configuration, string partialName, in EncodedTextWriter textWriter) =>
            throw new MissingSnippetException(partialName);
    }

    private sealed class MissingSnippetException(string snippet) : Exception($"snippet '{snippet}' does not exist")
    {
        public string Snippet { get; } = snippet;
    }
}

public static class TemplateNamePattern
{
    public static bool IsValid(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
