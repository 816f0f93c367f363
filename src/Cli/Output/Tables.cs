using Spectre.Console;

namespace Portal.Cli.Output;

/// <summary>Tables for people: plain columns, values escaped (they come from the Portal).</summary>
internal static class Tables
{
    public static void Write(IAnsiConsole console, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers) table.AddColumn(new TableColumn(Markup.Escape(header)));
        foreach (var row in rows) table.AddRow(row.Select(v => Markup.Escape(v ?? "")).ToArray());
        console.Write(table);
    }

    /// <summary>Label: value lines, for one object.</summary>
    public static void Fields(IAnsiConsole console, IEnumerable<(string Label, string? Value)> fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (label, value) in fields.Where(f => f.Value is not null))
            grid.AddRow(new Text(label + ":"), new Text(value!));
        console.Write(grid);
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 40 => $"{bytes / (double)(1L << 40):0.#} TiB",
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        _ => $"{bytes} B",
    };
}
