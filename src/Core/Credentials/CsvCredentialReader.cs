using System.Text;
using Portal.Core.Bmcs;

namespace Portal.Core.Credentials;

/// <summary>
/// Reads a credential CSV line by line (RFC 4180 quoting). A quoted field must close on its own
/// line: credentials never contain line breaks, and keeping records line-bound means one stray
/// quote costs one row instead of swallowing the rest of the file.
/// </summary>
internal static class CsvCredentialReader
{
    public static RawCredentialFile Read(string text, int maxRows)
    {
        var records = new List<RawCredentialRecord>();
        var warnings = new List<string>();
        Column[]? columns = null;
        var lineNumber = 0;

        foreach (var line in SplitLines(text))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;

            var (fields, tokenError) = Tokenize(line);
            if (columns is null)
            {
                if (tokenError is not null)
                    return RawCredentialFile.Refused($"The header on line {lineNumber} is not valid CSV: {tokenError}.");
                var header = ReadHeader(fields!, lineNumber, warnings);
                if (header.Error is not null)
                    return RawCredentialFile.Refused(header.Error);
                columns = header.Columns;
                continue;
            }

            if (records.Count == maxRows)
                return RawCredentialFile.Refused($"The file has more than {maxRows:N0} rows; split it into smaller files.");

            records.Add(ToRecord(lineNumber, columns, fields, tokenError));
        }

        if (columns is null)
            return RawCredentialFile.Refused("The file is empty; expected a header line such as bmc_mac,username,password,serial.");
        return new RawCredentialFile(records, [], warnings);
    }

    private readonly record struct Column(CredentialField? Field, string Name);

    private sealed record HeaderResult(Column[] Columns, string? Error);

    private static HeaderResult ReadHeader(List<string> names, int lineNumber, List<string> warnings)
    {
        var columns = names.Select(n => new Column(CredentialColumns.Resolve(n.Trim()), n.Trim())).ToArray();
        if (columns.All(c => c.Field is null) && names.Count > 0 && MacAddress.TryParse(names[0], out _))
            return new([], $"Line {lineNumber} looks like data, not a header; the first line must name the columns, e.g. bmc_mac,username,password,serial.");

        foreach (var group in columns.Where(c => c.Field is not null).GroupBy(c => c.Field))
        {
            if (group.Count() > 1)
                return new([], $"The header names the {Describe(group.Key!.Value)} column more than once ({string.Join(", ", group.Select(c => $"'{c.Name}'"))}).");
        }
        foreach (var required in CredentialColumns.Required)
        {
            if (columns.All(c => c.Field != required))
                return new([], $"The header has no {Describe(required)} column (found: {string.Join(", ", columns.Select(c => $"'{c.Name}'"))}).");
        }
        foreach (var unknown in columns.Where(c => c.Field is null))
            warnings.Add($"Column '{unknown.Name}' is not recognised and will be ignored.");
        return new(columns, null);
    }

    private static RawCredentialRecord ToRecord(int lineNumber, Column[] columns, List<string>? fields, string? tokenError)
    {
        var values = new Dictionary<CredentialField, string>();
        var errors = new List<string>();
        if (tokenError is not null)
            errors.Add(tokenError);
        else if (fields!.Count != columns.Length)
            errors.Add($"Wrong column count: expected {columns.Length}, found {fields.Count}" +
                       (fields.Count > columns.Length ? " (an unquoted comma in a value?)." : "."));

        // Fill what we can even for a broken row so the preview can still show its MAC.
        for (var i = 0; fields is not null && i < Math.Min(fields.Count, columns.Length); i++)
        {
            if (columns[i].Field is { } field)
                values[field] = fields[i];
        }
        return new RawCredentialRecord(lineNumber, values, errors);
    }

    /// <summary>Splits into a list of fields, or returns an error for a malformed quote.</summary>
    internal static (List<string>? Fields, string? Error) Tokenize(string line)
    {
        var fields = new List<string>();
        var i = 0;
        var value = new StringBuilder();
        while (true)
        {
            value.Clear();
            var start = i;
            // Tolerate spaces before an opening quote: "mac, "pa,ss"" is a common hand edit.
            var j = i;
            while (j < line.Length && line[j] == ' ') j++;
            if (j < line.Length && line[j] == '"')
            {
                var quoteColumn = j + 1;
                i = j + 1;
                var closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            value.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        closed = true;
                        break;
                    }
                    value.Append(line[i++]);
                }
                if (!closed)
                    return (null, $"Unterminated quote: the quote at column {quoteColumn} is never closed.");
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != ',')
                    return (null, $"Unexpected character '{line[i]}' at column {i + 1} after a closing quote (a quote inside a value must be doubled).");
            }
            else
            {
                i = start;
                while (i < line.Length && line[i] != ',')
                    value.Append(line[i++]);
            }

            fields.Add(value.ToString());
            if (i >= line.Length)
                return (fields, null);
            i++; // the comma
        }
    }

    private static IEnumerable<string> SplitLines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r')
            {
                yield return text[start..i];
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                start = i + 1;
            }
        }
        if (start < text.Length)
            yield return text[start..];
    }

    internal static string Describe(CredentialField field) => field switch
    {
        CredentialField.Mac => "BMC MAC (bmc_mac)",
        CredentialField.Username => "username",
        CredentialField.Password => "password",
        CredentialField.Serial => "serial",
        CredentialField.Vendor => "vendor",
        _ => "notes",
    };
}
