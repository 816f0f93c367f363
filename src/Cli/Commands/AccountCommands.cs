using System.CommandLine;
using Portal.Cli.Api;
using Spectre.Console;

namespace Portal.Cli.Commands;

/// <summary>login / logout / whoami: where the Portal is and which token to use.</summary>
internal static class AccountCommands
{
    public static Command Login(CliEnvironment env)
    {
        var url = new Option<string>("--url") { Description = "The Portal's address, e.g. http://127.0.0.1:5080 (default: PORTAL_URL)" };
        var tokenStdin = new Option<bool>("--token-stdin") { Description = "Read the personal API token (pt_…) from standard input" };
        return new Command("login", "Check a personal API token against the Portal and store URL and token (mode 600) in your config folder")
            .With(url, tokenStdin)
            .Does(env, async (cli, ct) =>
            {
                var target = cli.Value(url) ?? env.Variable("PORTAL_URL")
                    ?? throw CliException.Usage("Give the Portal's address with --url (or PORTAL_URL).");
                var token = cli.Value(tokenStdin) ? (await env.In.ReadToEndAsync(ct)).Trim() : env.Variable("PORTAL_TOKEN")?.Trim();
                if (string.IsNullOrEmpty(token))
                {
                    if (!env.Console.Profile.Capabilities.Interactive)
                        throw CliException.Usage("No token: pipe it in with --token-stdin (or set PORTAL_TOKEN). Create one on your profile page in the Portal.");
                    token = env.Console.Prompt(new TextPrompt<string>("Personal API token (pt_…):").Secret());
                }
                using var api = new PortalApi(target, token, env);
                var me = await api.GetAsync("api/v1/me", ct);
                new CliConfig(api.BaseUrl.ToString().TrimEnd('/'), token).Save(env);
                if (cli.Json) cli.WriteJson(me);
                else cli.Say($"Logged in to {api.BaseUrl.ToString().TrimEnd('/')} as {me.Str("email")} ({string.Join(", ", me.Items("roles").Select(r => r.GetString()))}); saved in {CliConfig.PathIn(env)}.");
                return ExitCodes.Ok;
            });
    }

    public static Command Logout(CliEnvironment env) =>
        new Command("logout", "Forget the stored URL and token (the token stays valid until revoked on your profile page)")
            .Does(env, (cli, _) =>
            {
                var removed = CliConfig.Delete(env);
                if (cli.Json) cli.WriteJson(new { loggedOut = removed });
                else cli.Say(removed ? "Logged out." : "Not logged in; nothing to forget.");
                return Task.FromResult(ExitCodes.Ok);
            });

    public static Command WhoAmI(CliEnvironment env) =>
        new Command("whoami", "Who the token belongs to, with their roles")
            .Does(env, async (cli, ct) =>
            {
                var me = await cli.Api().GetAsync("api/v1/me", ct);
                if (cli.Json) cli.WriteJson(me);
                else cli.Say($"{me.Str("email")} ({string.Join(", ", me.Items("roles").Select(r => r.GetString()))}) at {cli.Api().BaseUrl}");
                return ExitCodes.Ok;
            });
}
