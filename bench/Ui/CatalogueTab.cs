using System.Globalization;
using Microsoft.Playwright;
using Portal.Core.Catalogue;

namespace Portal.Ui.Bench;

/// <summary>
/// A catalogue view: its query and URL, what the page shows for it (count and first row, by which
/// the browser recognises it) and the tags its facets offer.
/// </summary>
internal sealed record CatalogueView(CatalogueQuery Query, string Url, long Total, string? FirstName, IReadOnlyList<string> Tags)
{
    public bool LooksLike(CatalogueView other) => Total == other.Total && FirstName == other.FirstName;
}

/// <summary>One browser context (one signed-in person) with its tab, in Debian's Chromium.</summary>
internal sealed class CatalogueTab(IPage page, string baseUrl)
{
    public CatalogueView? Showing { get; private set; }

    public static async Task<CatalogueTab> SignInAsync(IBrowser browser, string baseUrl, string email, string password)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        // Playwright's 30 s default is too short for a sign-in on two cores shared with other work.
        page.SetDefaultTimeout(120_000);
        // The static sign-in form, filled in as a person does; it returns to the static change-password
        // page, so a tab holds no circuit until the bench opens the catalogue.
        await page.GotoAsync(baseUrl + "/account/login?ReturnUrl=%2Faccount%2Fchange-password");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/account/change-password"));
        return new CatalogueTab(page, baseUrl);
    }

    /// <summary>Opens the catalogue on a view's URL (a new circuit) and waits until the grid shows its rows.</summary>
    public async Task OpenAsync(CatalogueView view)
    {
        await page.GotoAsync(baseUrl + view.Url);
        await page.Locator("#machines .machine-name").First.WaitForAsync(new() { Timeout = 60_000 });
        Showing = view;
    }

    /// <summary>Back to a static page: the browser tells the server the circuit is gone.</summary>
    public async Task LeaveAsync()
    {
        await page.GotoAsync(baseUrl + "/account/change-password");
        Showing = null;
    }

    /// <summary>
    /// Changes a filter as a person does, by clicking a tag facet chip, and returns the milliseconds
    /// the browser saw from the click to the new view's rows.
    /// </summary>
    public async Task<double> ToggleTagAsync(string tag, CatalogueView next)
    {
        var ms = await page.EvaluateAsync<double>(ToggleScript, new object?[] { tag, next.Total.ToString(CultureInfo.InvariantCulture), next.FirstName });
        Showing = next;
        return ms;
    }

    // Resolves on the first DOM change that shows the expected count and first row, so the time is
    // what a person waits for, without polling delay; a view the page never reaches fails after 30 s.
    private const string ToggleScript = """
        ([tag, total, first]) => new Promise((resolve, reject) => {
          const chip = document.querySelector(`[data-tag="${CSS.escape(tag)}"]`);
          if (!chip) { reject(new Error(`no facet chip for tag ${tag}`)); return; }
          const shows = () => {
            const count = document.querySelector('#result-count strong')?.textContent?.trim();
            const name = document.querySelector('#machines .machine-name')?.textContent?.trim() ?? null;
            return count === total && name === first;
          };
          const started = performance.now();
          const observer = new MutationObserver(() => {
            if (!shows()) return;
            observer.disconnect(); clearTimeout(timer);
            resolve(performance.now() - started);
          });
          const timer = setTimeout(() => {
            observer.disconnect();
            reject(new Error(`tag ${tag}: expected ${total} machines from ${first}, the page shows ${document.querySelector('#result-count strong')?.textContent}`));
          }, 30000);
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          chip.click();
        })
        """;
}
