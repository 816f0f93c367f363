using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Spectre.Console;

namespace Portal.Cli;

/// <summary>One command's run: its parsed arguments, the environment, --json, and the API client made from login or PORTAL_URL/PORTAL_TOKEN.</summary>
internal sealed class CliContext(ParseResult parse, CliEnvironment env) : IDisposable
{
    public static readonly Option<bool> JsonOption = new("--json") { Description = "Print machine-readable JSON (the API's own shape) instead of tables", Recursive = true };

    private PortalApi? api;

    public ParseResult Parse { get; } = parse;
    public CliEnvironment Env { get; } = env;
    public IAnsiConsole Console => Env.Console;
    public bool Json => Parse.GetValue(JsonOption);

    public T? Value<T>(Option<T> option) => Parse.GetValue(option);
    public T? Value<T>(Argument<T> argument) => Parse.GetValue(argument);

    public PortalApi Api()
    {
        if (api is not null) return api;
        var config = CliConfig.Load(Env);
        if (config.Url is null || config.Token is null)
            throw new CliException(ExitCodes.Unauthenticated, "Not logged in: run `portal login --url <portal>` (or set PORTAL_URL and PORTAL_TOKEN).");
        return api = new PortalApi(config.Url, config.Token, Env);
    }

    public void WriteJson(JsonElement value) => Env.Out.WriteLine(Portal.Cli.Api.Json.Text(value));
    public void WriteJson(object value) => Env.Out.WriteLine(JsonSerializer.Serialize(value, Portal.Cli.Api.Json.Options));

    /// <summary>Text for people (escaped: names and messages come from the Portal and may hold markup characters).</summary>
    public void Say(string text) => Console.MarkupLineInterpolated($"{text}");

    public void Dispose() => api?.Dispose();
}

internal static class CommandExtensions
{
    /// <summary>Runs <paramref name="action"/> for this command; a <see cref="CliException"/> becomes its message on stderr and its exit code.</summary>
    public static Command Does(this Command command, CliEnvironment env, Func<CliContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, ct) =>
        {
            using var context = new CliContext(parse, env);
            try
            {
                return await action(context, ct);
            }
            catch (CliException e)
            {
                if (context.Json) env.Error.WriteLine(JsonSerializer.Serialize(new { error = e.Message, exitCode = e.ExitCode, problem = e.Problem }, Portal.Cli.Api.Json.Options));
                else env.Error.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                env.Error.WriteLine("Interrupted.");
                return 130;
            }
        });
        return command;
    }

    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option: command.Options.Add(option); break;
                case Argument argument: command.Arguments.Add(argument); break;
                case Command sub: command.Subcommands.Add(sub); break;
            }
        }
        return command;
    }
}
