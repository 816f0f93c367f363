using Microsoft.Playwright;

namespace Portal.EndToEnd;

/// <summary>
/// Chooses a file in a Blazor file input. The input only listens once the circuit has wired it up
/// (JS interop after the first render), which a person can never beat but a script can: a choice
/// made before that is lost. So the file is chosen again until <paramref name="shown"/> appears.
/// A circuit that has shown nothing after two choices is given up for a fresh one (the page is
/// reloaded): once in CI three choices in one circuit, a minute in all, showed nothing at all.
/// </summary>
public static class FilePicker
{
    public static async Task ChooseAsync(IPage page, string path, ILocator shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (attempt == 3) await page.ReloadAsync();
            await page.SetInputFilesAsync("input[type=file]", path);
            try
            {
                // Patient: choosing again restarts a read that a busy machine (VMs emulated beside it) was still doing.
                await Assertions.Expect(shown).ToBeVisibleAsync(new() { Timeout = 20_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 4)
            {
                // not wired yet: choose again
            }
        }
    }
}
