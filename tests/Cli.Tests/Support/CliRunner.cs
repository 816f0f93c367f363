using System.Text.Json;

namespace Portal.Cli.Tests.Support;

/// <summary>What a run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs the CLI's real entry point in-process, with captured output, given variables, stdin and config folder.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? variables = null, string stdin = "",
        string? configDirectory = null, Func<HttpMessageHandler>? handler = null)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var config = configDirectory ?? Path.Combine(Path.GetTempPath(), $"portal-cli-{Guid.NewGuid():N}");
        var env = CliEnvironment.Captured(output, error, config, variables, stdin, handler);
        var exit = await PortalCli.RunAsync(args, env);
        if (configDirectory is null && Directory.Exists(config)) Directory.Delete(config, recursive: true);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
