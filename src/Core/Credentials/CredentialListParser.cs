using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Bmcs;
using Portal.Core.Text;

namespace Portal.Core.Credentials;

/// <summary>
/// Turns an uploaded vendor credential list (CSV or JSON) into a preview with a verdict for
/// every row. Nothing here touches the database: conflicts with stored entries are added by
/// the caller through <see cref="CredentialListPreview.WithExistingEntries"/>.
/// </summary>
public sealed class CredentialListParser(IOptions<CredentialListLimits> options)
{
    public CredentialListParser() : this(Options.Create(new CredentialListLimits())) { }

    private CredentialListLimits Limits => options.Value;

    /// <summary>
    /// Parses <paramref name="content"/>. The format comes from the file extension, or from the
    /// content when there is none. At most MaxBytes + 1 bytes are read, so a huge upload is
    /// refused without buffering it.
    /// </summary>
    public async Task<CredentialListPreview> ParseAsync(Stream content, string? fileName = null, CancellationToken ct = default)
    {
        var limit = Limits.MaxBytes;
        if (content.CanSeek && content.Length - content.Position > limit)
            return TooLarge(content.Length - content.Position, fileName);

        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
                return TooLarge(null, fileName);
        }
        return Parse(new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length), fileName);
    }

    public CredentialListPreview Parse(ReadOnlyMemory<byte> bytes, string? fileName = null)
    {
        if (bytes.Length > Limits.MaxBytes)
            return TooLarge(bytes.Length, fileName);

        if (!TryDecode(bytes, out var text, out var utf8, out var decodeError))
            return new CredentialListPreview(GuessFormat(fileName, ""), [], [decodeError], []);

        var format = GuessFormat(fileName, text);
        var raw = format == CredentialListFormat.Json
            ? JsonCredentialReader.Read(utf8, Limits.MaxRows)
            : CsvCredentialReader.Read(text, Limits.MaxRows);

        if (raw.FileErrors.Count > 0)
            return new CredentialListPreview(format, [], raw.FileErrors, raw.FileWarnings);

        var fileErrors = raw.Records.Count == 0 ? new[] { "The file has a header but no credential rows." } : [];
        return new CredentialListPreview(format, Validate(raw.Records), fileErrors, raw.FileWarnings);
    }

    public CredentialListPreview Parse(string text, string? fileName = null) => Parse(Encoding.UTF8.GetBytes(text), fileName);

    private CredentialListPreview TooLarge(long? size, string? fileName) =>
        new(GuessFormat(fileName, ""), [],
            [size is { } s
                ? $"The file is {s:N0} bytes; the limit is {Limits.MaxBytes:N0} bytes ({FormatSize(Limits.MaxBytes)}). Split it into smaller files."
                : $"The file is larger than the limit of {Limits.MaxBytes:N0} bytes ({FormatSize(Limits.MaxBytes)}). Split it into smaller files."],
            []);

    private List<CredentialListRow> Validate(IReadOnlyList<RawCredentialRecord> records)
    {
        var rows = records.Select(ValidateRecord).ToList();

        // Duplicates are reported on every occurrence, each naming the other lines, so the
        // admin sees both sides of the clash wherever they look.
        // JSON rows may share a line (a file on one line), so they are told apart by their item number.
        foreach (var group in rows.Select((Row, Index) => (Row, Index)).Where(r => r.Row.Mac is not null).GroupBy(r => r.Row.Mac!.Value).Where(g => g.Count() > 1))
        {
            foreach (var (row, index) in group)
            {
                var others = group.Where(o => o.Index != index).Select(o => o.Row.Item is { } item ? $"item {item} (line {o.Row.LineNumber})" : $"line {o.Row.LineNumber}");
                rows[index] = rows[index] with { Errors = [.. rows[index].Errors, $"Duplicate MAC {group.Key}: also on {string.Join(", ", others)}."] };
            }
        }
        return rows;
    }

    private CredentialListRow ValidateRecord(RawCredentialRecord record)
    {
        string Get(CredentialField f) => record.Values.TryGetValue(f, out var v) ? v : "";
        string? Optional(CredentialField f) => string.IsNullOrWhiteSpace(Get(f)) ? null : Get(f).Trim();

        var rawMac = Get(CredentialField.Mac).Trim();
        var username = Get(CredentialField.Username).Trim();
        var password = Get(CredentialField.Password);
        var errors = new List<string>(record.StructuralErrors);
        var warnings = new List<string>();
        MacAddress? mac = MacAddress.TryParse(rawMac, out var parsed, out var macError) ? parsed : null;

        // A row that is structurally broken gets only that error: the field positions are
        // unreliable, so "empty password" and the like would just be noise. Every other check runs,
        // so a row lists all of its invalid fields at once.
        if (errors.Count == 0)
        {
            errors.AddRange(record.FieldErrors ?? []);
            if (mac is null)
                errors.Add(ControlCharacters.IndexIn(rawMac) >= 0 ? "Bad MAC: it contains a control character." : $"Bad MAC: {macError}");
            if (username.Length == 0)
                errors.Add("Username is empty.");
            if (password.Length == 0)
                errors.Add("Password is empty.");
            else if (password != password.Trim())
                warnings.Add("Password has leading or trailing spaces; they are kept as part of the password.");

            CheckLength(errors, "Username", username, Limits.MaxUsernameLength);
            CheckLength(errors, "Password", password, Limits.MaxPasswordLength);
            CheckLength(errors, "Serial", Optional(CredentialField.Serial), Limits.MaxSerialLength);
            CheckLength(errors, "Vendor", Optional(CredentialField.Vendor), Limits.MaxVendorLength);
            CheckLength(errors, "Notes", Optional(CredentialField.Notes), Limits.MaxNotesLength);
            // PostgreSQL refuses NUL in text: caught here, per field, not as a failed import.
            foreach (var (name, value) in new[] { ("Username", username), ("Serial", Optional(CredentialField.Serial)), ("Vendor", Optional(CredentialField.Vendor)) })
                if (ControlCharacters.Problem(name, value) is { } problem) errors.Add(problem);
            if (ControlCharacters.Problem("Notes", Optional(CredentialField.Notes), multiline: true) is { } notesProblem) errors.Add(notesProblem);
            // Where in the password is not said: it is the password.
            if (ControlCharacters.IndexIn(password) >= 0) errors.Add("Password contains a control character; remove it.");
        }

        return new CredentialListRow
        {
            LineNumber = record.LineNumber,
            Item = record.Item,
            RawMac = rawMac,
            Mac = mac,
            Username = username,
            Password = password,
            Serial = Optional(CredentialField.Serial),
            Vendor = Optional(CredentialField.Vendor),
            Notes = Optional(CredentialField.Notes),
            Errors = errors,
            Warnings = warnings,
        };
    }

    private static void CheckLength(List<string> errors, string name, string? value, int max)
    {
        if (value is not null && value.Length > max)
            errors.Add($"{name} is too long: {value.Length} characters, the limit is {max}.");
    }

    private static bool TryDecode(ReadOnlyMemory<byte> bytes, out string text, out ReadOnlyMemory<byte> utf8, out string error)
    {
        var span = bytes.Span;
        text = "";
        error = "";
        utf8 = bytes;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            // Excel's "Unicode text" export: re-encode so both readers see UTF-8.
            var encoding = span[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
            text = encoding.GetString(span[2..]);
            utf8 = Encoding.UTF8.GetBytes(text);
            return true;
        }
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            utf8 = bytes[3..];
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8.Span);
            return true;
        }
        catch (DecoderFallbackException e)
        {
            error = $"The file is not valid UTF-8 (bad byte at offset {e.Index}); save it as UTF-8 CSV.";
            return false;
        }
    }

    private static CredentialListFormat GuessFormat(string? fileName, string text)
    {
        var extension = Path.GetExtension(fileName ?? "").ToLowerInvariant();
        if (extension == ".json") return CredentialListFormat.Json;
        if (extension is ".csv" or ".txt") return CredentialListFormat.Csv;
        var first = text.TrimStart().FirstOrDefault();
        return first is '[' or '{' ? CredentialListFormat.Json : CredentialListFormat.Csv;
    }

    private static string FormatSize(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes:N0} bytes";
}
