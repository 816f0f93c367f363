using Spectre.Console;

namespace Portal.Cli;

/// <summary>
/// Everything the CLI takes from its process, so tests run commands in-process: output (a raw writer for
/// JSON and files, a Spectre console for tables and progress, both on stdout), errors (stderr), stdin,
/// environment variables, the config folder and, optionally, the HTTP handler to reach the Portal with.
/// </summary>
public sealed record CliEnvironment(
    TextWriter Out, IAnsiConsole Console, TextWriter Error, TextReader In, Func<string, string?> Variable, string ConfigDirectory,
    Func<HttpMessageHandler>? Handler = null)
{
    public static CliEnvironment FromProcess()
    {
        var console = AnsiConsole.Console;
        // Piped into grep or a file: one row a line rather than tables wrapped at a guessed 80 columns.
        if (System.Console.IsOutputRedirected) console.Profile.Width = 240;
        return new(System.Console.Out, console, System.Console.Error, System.Console.In, Environment.GetEnvironmentVariable,
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "portal"));
    }

    /// <summary>A non-interactive environment writing stdout to <paramref name="output"/> (tests, pipes).</summary>
    public static CliEnvironment Captured(StringWriter output, StringWriter error, string configDirectory, IReadOnlyDictionary<string, string>? variables = null,
        string stdin = "", Func<HttpMessageHandler>? handler = null)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 240;
        return new(output, console, error, new StringReader(stdin), name => variables?.GetValueOrDefault(name), configDirectory, handler);
    }
}
