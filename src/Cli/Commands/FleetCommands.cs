using System.CommandLine;

namespace Portal.Cli.Commands;

internal static class FleetCommands
{
    public static Command Export(CliEnvironment env) => new("export", "x");
    public static Command Apply(CliEnvironment env) => new("apply", "x");
}
