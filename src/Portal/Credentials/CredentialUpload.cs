using Portal.Core.Credentials;

namespace Portal.Credentials;

/// <summary>An uploaded file read into memory, or why it was not.</summary>
internal sealed record UploadedFile(MemoryStream? Content, string? FileName, bool TooLarge, string? Error)
{
    public static string TooLargeMessage(long maxBytes) =>
        $"The file is larger than the limit of {maxBytes:N0} bytes ({maxBytes / (1024.0 * 1024):0.#} MB). Split it into smaller files.";
}

/// <summary>
/// Reads a credential list from a request: multipart field "file", or the raw body. Refuses on
/// Content-Length alone when it is over the limit, and never reads more than limit + 1 bytes,
/// so a huge upload costs nothing.
/// </summary>
internal static class CredentialUpload
{
    // Room for the multipart boundaries and the small form fields next to the file.
    private const long MultipartSlack = 64 * 1024;

    public static bool DeclaredTooLarge(HttpRequest request, long maxBytes) =>
        request.ContentLength is { } length && length > maxBytes + (request.HasFormContentType ? MultipartSlack : 0);

    public static async Task<UploadedFile> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (DeclaredTooLarge(request, maxBytes))
            return new(null, null, true, null);

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            var file = form.Files.GetFile("file");
            if (file is null || file.Length == 0)
                return new(null, file?.FileName, false, "Choose a credential list file (CSV or JSON) to upload.");
            if (file.Length > maxBytes)
                return new(null, file.FileName, true, null);
            await using var stream = file.OpenReadStream();
            return await CopyAsync(stream, Path.GetFileName(file.FileName), maxBytes, ct);
        }

        return await CopyAsync(request.Body, NameFor(request.ContentType), maxBytes, ct);
    }

    private static async Task<UploadedFile> CopyAsync(Stream source, string? fileName, long maxBytes, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
                return new(null, fileName, true, null);
        }
        buffer.Position = 0;
        return new(buffer, fileName, false, null);
    }

    // The parser picks CSV or JSON by extension; a raw body only has its content type.
    private static string? NameFor(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "application/json" or "text/json" => "upload.json",
        "text/csv" or "text/plain" or "application/csv" => "upload.csv",
        _ => null,
    };
}
