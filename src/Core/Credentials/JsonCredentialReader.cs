using System.Text.Json;

namespace Portal.Core.Credentials;

/// <summary>
/// Reads the JSON form: an array of objects with the same field names as the CSV header
/// (or an object holding one such array, as some vendor portals export).
/// </summary>
internal static class JsonCredentialReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 16,
    };

    public static RawCredentialFile Read(ReadOnlyMemory<byte> utf8, int maxRows)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException e)
        {
            return RawCredentialFile.Refused($"The file is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }

        using (document)
        {
            var array = document.RootElement;
            if (array.ValueKind == JsonValueKind.Object)
            {
                var arrays = array.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).ToList();
                if (arrays.Count != 1)
                    return RawCredentialFile.Refused("Expected a JSON array of credential objects.");
                array = arrays[0].Value;
            }
            if (array.ValueKind != JsonValueKind.Array)
                return RawCredentialFile.Refused("Expected a JSON array of credential objects.");
            if (array.GetArrayLength() > maxRows)
                return RawCredentialFile.Refused($"The file has more than {maxRows:N0} rows; split it into smaller files.");

            var lines = ElementLines(utf8.Span, array.GetArrayLength());
            var warnings = new HashSet<string>();
            var records = new List<RawCredentialRecord>();
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                records.Add(ToRecord(lines[index], index, item, warnings));
                index++;
            }
            return new RawCredentialFile(records, [], [.. warnings]);
        }
    }

    private static RawCredentialRecord ToRecord(int line, int index, JsonElement item, HashSet<string> warnings)
    {
        var values = new Dictionary<CredentialField, string>();
        var errors = new List<string>();
        if (item.ValueKind != JsonValueKind.Object)
            return new RawCredentialRecord(line, values, [$"Item {index + 1} is {item.ValueKind}, not an object."], Item: index + 1);

        foreach (var property in item.EnumerateObject())
        {
            if (CredentialColumns.Resolve(property.Name) is not { } field)
            {
                warnings.Add($"Field '{property.Name}' is not recognised and will be ignored.");
                continue;
            }
            if (values.ContainsKey(field))
            {
                errors.Add($"The {CsvCredentialReader.Describe(field)} field appears more than once.");
                continue;
            }
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    values[field] = property.Value.GetString()!;
                    break;
                case JsonValueKind.Number:
                    // Serials and numeric passwords are sometimes exported unquoted.
                    values[field] = property.Value.GetRawText();
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    errors.Add($"Field '{property.Name}' must be a string, not {property.Value.ValueKind}.");
                    break;
            }
        }
        return new RawCredentialRecord(line, values, [], errors, index + 1);
    }

    /// <summary>The 1-based line of each top-level array element, for error messages.</summary>
    private static int[] ElementLines(ReadOnlySpan<byte> utf8, int count)
    {
        var lines = new int[count];
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var index = 0;
        var line = 1;
        long counted = 0;
        var arrayDepth = -1;
        while (reader.Read() && index < count)
        {
            if (arrayDepth < 0)
            {
                if (reader.TokenType == JsonTokenType.StartArray)
                    arrayDepth = reader.CurrentDepth + 1;
                continue;
            }
            if (reader.CurrentDepth != arrayDepth || reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                continue;
            var start = reader.TokenStartIndex;
            for (; counted < start; counted++)
            {
                if (utf8[(int)counted] == (byte)'\n') line++;
            }
            lines[index++] = line;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                reader.Skip();
        }
        return lines;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
