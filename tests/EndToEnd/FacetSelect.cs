using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Portal.EndToEnd;

/// <summary>The catalogue's facet filters are native selects whose options end with their counts.</summary>
internal static class FacetSelect
{
    /// <summary>Chooses, in the select labelled <paramref name="label"/>, the option whose text starts with <paramref name="option"/>.</summary>
    public static async Task ChooseAsync(IPage page, string label, string option)
    {
        var select = page.GetByLabel(label, new() { Exact = true });
        var value = await select.Locator("option", new() { HasTextRegex = new Regex("^" + Regex.Escape(option)) }).First.GetAttributeAsync("value");
        await select.SelectOptionAsync(new SelectOptionValue { Value = value });
    }
}
