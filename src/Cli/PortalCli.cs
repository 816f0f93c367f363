using System.CommandLine;
using Portal.Cli.Commands;

namespace Portal.Cli;

/// <summary>The `portal` command: every subcommand in one table, run in-process with an <see cref="CliEnvironment"/>.</summary>
public static class PortalCli
{
    public static Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken ct = default)
    {
        var root = new RootCommand("Portal command-line client: onboard BMCs, pick machines, deploy and watch them, keep fleet configuration as files.\n\n" + ExitCodes.Help);
        root.Options.Add(CliContext.JsonOption);
        foreach (var command in new[]
                 {
                     AccountCommands.Login(env), AccountCommands.Logout(env), AccountCommands.WhoAmI(env),
                     DiscoveryCommands.Onboard(env), DiscoveryCommands.Bmcs(env), DiscoveryCommands.Discover(env),
                     MachineCommands.Machines(env), DeployCommand.Deploy(env), DeploymentCommands.Deployments(env),
                     CredentialCommands.Credentials(env), FleetCommands.Export(env), FleetCommands.Apply(env),
                 })
            root.Subcommands.Add(command);

        // No response files: "@file" is an argument of ours (--ssh-key @~/.ssh/id_ed25519.pub), not a file of more arguments.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        // Parse errors are usage errors (2), not failures (System.CommandLine's own 1).
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) env.Error.WriteLine($"error: {error.Message}");
            env.Error.WriteLine("See `portal --help`.");
            return Task.FromResult(ExitCodes.Usage);
        }
        return parsed.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false }, ct);
    }
}
