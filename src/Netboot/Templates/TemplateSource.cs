namespace Portal.Netboot.Templates;

/// <summary>A named Handlebars text: a main template or a snippet (used as a partial, <c>{{> name}}</c>).</summary>
public sealed record TemplateSource(string Name, string Text);
