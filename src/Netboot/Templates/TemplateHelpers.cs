using System.Collections;
using System.Text.Json;
using HandlebarsDotNet;

namespace Portal.Netboot.Templates;

/// <summary>
/// Quoting helpers, because output is kickstart, YAML and shell rather than HTML (HTML escaping
/// is off): <c>{{json x}}</c> gives a JSON value (also a valid YAML scalar or flow sequence),
/// <c>{{shell x}}</c> a single-quoted POSIX shell word (a list becomes one line per item).
/// </summary>
internal static class TemplateHelpers
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Register(IHandlebars handlebars)
    {
        handlebars.RegisterHelper("json", (writer, _, arguments) =>
        {
            RequireOne("json", arguments);
            writer.WriteSafeString(JsonSerializer.Serialize(Plain(arguments[0]), Json));
        });
        handlebars.RegisterHelper("shell", (writer, _, arguments) =>
        {
            RequireOne("shell", arguments);
            var text = Plain(arguments[0]) switch
            {
                null => "",
                IEnumerable list and not string => string.Join("\n", list.Cast<object?>().Select(TemplateModel.Invariant)),
                var value => TemplateModel.Invariant(value),
            };
            writer.WriteSafeString("'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'");
        });
    }

    private static void RequireOne(string helper, Arguments arguments)
    {
        if (arguments.Length != 1)
            throw new HandlebarsException($"helper '{helper}' takes exactly one value, got {arguments.Length}");
    }

    // Handlebars hands undefined values over as a marker object; treat it as absent.
    private static object? Plain(object? value) => value is UndefinedBindingResult ? null : value;
}
