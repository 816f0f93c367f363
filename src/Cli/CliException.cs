using System.Text.Json;

namespace Portal.Cli;

/// <summary>A command's failure with its exit code and the words to print; <see cref="Problem"/> is the API's problem+json when there was one.</summary>
public sealed class CliException(int exitCode, string message, JsonElement? problem = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
    public JsonElement? Problem { get; } = problem;

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
