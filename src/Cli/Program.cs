using Portal.Cli;

return await PortalCli.RunAsync(args, CliEnvironment.FromProcess());
