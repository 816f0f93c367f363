using System.CommandLine;
using System.Text.Json;
using Portal.Cli.Api;
using Portal.Cli.Output;

namespace Portal.Cli.Commands;

/// <summary>credentials list|import: vendor BMC credential lists (Admin).</summary>
internal static class CredentialCommands
{
    public static Command Credentials(CliEnvironment env)
    {
        var list = new Command("list", "Stored vendor credentials by BMC MAC (never their passwords)")
            .Does(env, async (cli, ct) =>
            {
                var rows = await cli.Api().GetAsync("api/v1/credentials", ct);
                if (cli.Json) cli.WriteJson(rows);
                else Tables.Write(cli.Console, ["MAC", "USERNAME", "SERIAL", "VENDOR", "IMPORTED", "BY"],
                    rows.Items().Select(c => new[] { c.Str("mac"), c.Str("username"), c.Str("serial"), c.Str("vendor"), c.Str("importedAt"), c.Str("importedBy") }));
                return ExitCodes.Ok;
            });

        var file = new Argument<FileInfo>("file") { Description = "The vendor's list: CSV (mac,username,password[,serial,vendor,notes]) or JSON" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every row and print the report; import nothing" };
        var replace = new Option<bool>("--replace") { Description = "Replace stored credentials for MACs already known" };
        var import = new Command("import", "Import a vendor credential list; all or nothing, with the per-row report")
            .With(file, dryRun, replace)
            .Does(env, async (cli, ct) =>
            {
                var path = cli.Value(file)!;
                if (!path.Exists) throw CliException.Usage($"There is no file {path.FullName}.");
                var contentType = path.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "text/csv";
                var query = $"?dryRun={(cli.Value(dryRun) ? "true" : "false")}&replace={(cli.Value(replace) ? "true" : "false")}";
                JsonElement answer;
                try
                {
                    answer = await cli.Api().PostRawAsync("api/v1/credentials/import" + query, await File.ReadAllBytesAsync(path.FullName, ct), contentType, ct);
                }
                catch (CliException e) when (e.Problem is { } problem && problem.TryGetProperty("rows", out _))
                {
                    // 422: the same report, with each row's errors; nothing was imported.
                    if (!cli.Json) WriteRows(cli, problem.Items("rows"));
                    throw;
                }
                if (cli.Json) { cli.WriteJson(answer); return ExitCodes.Ok; }
                WriteRows(cli, answer.Items("rowReport"));
                foreach (var warning in answer.Items("warnings")) cli.Say($"warning: {warning.GetString()}");
                cli.Say(answer.Bool("dryRun")
                    ? $"Dry run: {answer.Str("rows")} rows would import ({answer.Str("added")} new, {answer.Str("replaced")} replacing); nothing was changed."
                    : $"Imported {answer.Str("rows")} rows: {answer.Str("added")} new, {answer.Str("replaced")} replaced.");
                return ExitCodes.Ok;
            });

        return new Command("credentials", "Vendor BMC credential lists (Admin)").With(list, import);
    }

    private static void WriteRows(CliContext cli, IEnumerable<JsonElement> rows) =>
        Tables.Write(cli.Console, ["LINE", "MAC", "USERNAME", "SERIAL", "VENDOR", "VERDICT", "ERRORS / WARNINGS"],
            rows.Select(r => new[]
            {
                r.Str("line"), r.Str("mac") ?? r.Str("rawMac"), r.Str("username"), r.Str("serial"), r.Str("vendor"),
                r.Str("verdict") + (r.Bool("replacesExisting") ? " (replaces)" : ""),
                string.Join("; ", r.Items("errors").Concat(r.Items("warnings")).Select(m => m.GetString())),
            }));
}
