using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Core.Credentials;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Core.Users;
using Portal.Shell;

namespace Portal.Credentials;

/// <summary>
/// Upload a vendor credential list, see every row's verdict, then import it all or nothing with the
/// same Core code as the API. The parsed upload (with its passwords) lives only in this component's
/// state, for this circuit: nothing is cached on the server between preview and import.
/// </summary>
public sealed partial class CredentialsPage
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private IOptions<CredentialListLimits> Limits { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;

    private sealed record Pending(string FileName, byte[] Content, bool Replace, CredentialListPreview Preview);

    private MudFileUpload<IBrowserFile>? upload;
    private List<StoredCredentials.Entry> entries = [];
    private Pending? pending;
    private bool replace;
    private bool busy;
    private string? uploadError;

    protected override Task OnInitializedAsync() => LoadEntriesAsync();

    private async Task LoadEntriesAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        // Projected so the encrypted password is not even loaded.
        entries = await db.VendorCredentials.AsNoTracking().OrderBy(c => c.Mac)
            .Select(c => new StoredCredentials.Entry(c.Mac, c.Username, c.Serial, c.Vendor, c.Notes, c.ImportedAt, c.ImportedBy)).ToListAsync();
    }

    private async Task OnFileChosenAsync(InputFileChangeEventArgs chosen)
    {
        uploadError = null;
        pending = null;
        if (chosen.FileCount == 0) return;
        var file = chosen.File;
        var max = Limits.Value.MaxBytes;
        // The browser says the size before sending a byte: a huge file costs nothing.
        if (file.Size > max)
        {
            uploadError = UploadedFile.TooLargeMessage(max);
            await ClearPickerAsync();
            return;
        }
        busy = true;
        try
        {
            using var buffer = new MemoryStream();
            await using (var stream = file.OpenReadStream(max))
                await stream.CopyToAsync(buffer);
            await PreviewAsync(Path.GetFileName(file.Name), buffer.ToArray());
        }
        catch (IOException e)
        {
            uploadError = $"The file could not be read: {e.Message}";
        }
        finally { busy = false; }
    }

    /// <summary>Replace changes the verdicts of rows whose MAC is stored already: check the same file again.</summary>
    private async Task OnReplaceChangedAsync(bool value)
    {
        replace = value;
        if (pending is null) return;
        busy = true;
        try { await PreviewAsync(pending.FileName, pending.Content); }
        finally { busy = false; }
    }

    /// <summary>
    /// Parses the file and checks it against the stored entries. Admins only (it tells which MACs
    /// have credentials); the verdict goes in a snackbar and the rows below.
    /// </summary>
    private async Task PreviewAsync(string fileName, byte[] content)
    {
        CredentialListPreview? preview = null;
        var chosenReplace = replace;
        await Actions.RunAsync([Roles.Admin], async (services, _) =>
        {
            preview = await services.GetRequiredService<CredentialImport>().PreviewAsync(new MemoryStream(content, writable: false), fileName, chosenReplace);
            return preview.IsImportable
                ? Outcome.Done($"{fileName}: {preview.Rows.Count} {(preview.Rows.Count == 1 ? "row" : "rows")} ready to import. Nothing is saved until you import.")
                : Outcome.Invalid($"{fileName}: nothing can be imported until the errors below are fixed.");
        });
        pending = preview is null ? null : new Pending(fileName, content, chosenReplace, preview);
    }

    private async Task ImportAsync()
    {
        if (pending is not { } upload) return;
        busy = true;
        try
        {
            CredentialImportResult? result = null;
            var imported = await Actions.RunAsync([Roles.Admin], async (services, who) =>
            {
                result = await services.GetRequiredService<CredentialImport>().ImportAsync(upload.Preview, upload.FileName, upload.Replace, who.Actor);
                return result.Succeeded
                    ? Outcome.Done($"Imported {result.Added} new {(result.Added == 1 ? "entry" : "entries")}{(result.Replaced > 0 ? $" and replaced {result.Replaced}" : "")} from {upload.FileName}.")
                    : Outcome.Invalid("Nothing was imported: the stored credentials changed since the preview. See the rows below.");
            });
            if (imported)
            {
                pending = null;
                await ClearPickerAsync();
                await LoadEntriesAsync();
            }
            else if (result is { Succeeded: false })
            {
                // Something changed since the preview (e.g. a concurrent import): show the new verdicts.
                pending = upload with { Preview = result.Report };
            }
        }
        finally { busy = false; }
    }

    private async Task DiscardAsync()
    {
        pending = null;
        uploadError = null;
        await ClearPickerAsync();
    }

    // So choosing the same file again (after fixing it) is seen as a new choice.
    private async Task ClearPickerAsync()
    {
        if (upload is not null) await upload.ClearAsync();
    }
}
