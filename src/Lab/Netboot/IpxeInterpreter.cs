using System.Text;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Netboot;

/// <summary>
/// Runs the part of iPXE's script language the Portal emits: <c>#!ipxe</c>, <c>set</c>, <c>${var}</c>
/// (with <c>:hexhyp</c> / <c>:uristring</c>), <c>chain</c>, <c>kernel</c>, <c>initrd</c>, <c>imgargs</c>,
/// <c>boot</c>, <c>exit</c>, <c>sanboot</c>, <c>goto</c> / <c>:label</c>, <c>echo</c>, <c>sleep</c>,
/// <c>isset</c> / <c>iseq</c>, and <c>||</c> / <c>&amp;&amp;</c> between commands. Anything else fails as a
/// command, as an iPXE built without it would. All fetching goes through <see cref="PortalDownloads"/>.
/// </summary>
public sealed class IpxeInterpreter(PortalDownloads downloads, string machine, ILogger logger)
{
    /// <summary>Bounds a looping script (goto back and forth) or a chain to itself.</summary>
    public const int MaxCommands = 10_000;
    public const int MaxChainDepth = 8;
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, string> variables = new(StringComparer.Ordinal);
    private Uri? kernel;
    private string kernelName = "";
    private string commandLine = "";
    private readonly List<Uri> initrds = [];
    private int commands;

    /// <summary>Settings as the firmware knows them (<c>net0/mac</c>, <c>uuid</c>, <c>serial</c>, <c>buildarch</c>, <c>platform</c>...).</summary>
    public IDictionary<string, string> Variables => variables;

    /// <summary>Every line <c>echo</c> printed, in order (what the console would show).</summary>
    public List<string> Console { get; } = [];

    /// <summary>Fetches <paramref name="url"/> and runs it, as iPXE does with its boot file name.</summary>
    public async Task<IpxeOutcome> BootAsync(Uri url, CancellationToken ct)
    {
        var script = await downloads.TextAsync(url, "boot script", machine, ct);
        if (script is null) return new IpxeOutcome.LocalBoot($"could not fetch {url.AbsolutePath}");
        return await RunAsync(script, url, 0, ct) ?? new IpxeOutcome.LocalBoot("the script ended without booting");
    }

    /// <summary>Runs a script; null when it ran out without booting or exiting.</summary>
    public async Task<IpxeOutcome?> RunAsync(string script, Uri source, int depth, CancellationToken ct)
    {
        var lines = script.Replace("\r\n", "\n").Split('\n');
        if (!lines[0].StartsWith("#!ipxe", StringComparison.Ordinal))
            throw new IpxeScriptException($"{source.AbsolutePath} is not an iPXE script (no #!ipxe line)");

        for (var i = 1; i < lines.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(':')) continue;
            if (++commands > MaxCommands) throw new IpxeScriptException($"more than {MaxCommands} commands: the script loops");

            var result = await RunLineAsync(line, source, depth, ct);
            if (result.End is not null) return result.End;
            if (result.Goto is { } label)
            {
                var target = Array.FindIndex(lines, l => l.Trim() == ":" + label);
                if (target < 0)
                {
                    logger.LogInformation("{Machine}: goto {Label}: no such label in {Script}", machine, label, source.AbsolutePath);
                    return new IpxeOutcome.LocalBoot($"goto {label}: no such label");
                }
                i = target;
            }
        }
        return null;
    }

    private async Task<Result> RunLineAsync(string line, Uri source, int depth, CancellationToken ct)
    {
        // iPXE expands settings on the whole line first, then splits it into words.
        var words = Expand(line).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var start = 0;
        var ok = true;
        string? joiner = null;
        for (var i = 0; i <= words.Length; i++)
        {
            if (i < words.Length && words[i] is not ("||" or "&&")) continue;
            var command = words[start..i];
            var run = joiner is null || (joiner == "||" && !ok) || (joiner == "&&" && ok);
            if (run && command.Length > 0)
            {
                var result = await RunCommandAsync(command, source, depth, ct);
                if (result.End is not null || result.Goto is not null) return result;
                ok = result.Ok;
            }
            if (i < words.Length) joiner = words[i];
            start = i + 1;
        }
        return new Result(ok);
    }

    private async Task<Result> RunCommandAsync(string[] words, Uri source, int depth, CancellationToken ct)
    {
        var (name, args) = (words[0], words[1..]);
        switch (name)
        {
            case "set":
                if (args.Length == 0) return Fail("set: no setting named");
                if (args.Length == 1) variables.Remove(args[0]);
                else variables[args[0]] = string.Join(' ', args[1..]);
                return Ok;
            case "echo":
                var text = string.Join(' ', args is ["-n", ..] ? args[1..] : args);
                Console.Add(text);
                logger.LogInformation("{Machine}: iPXE: {Text}", machine, text);
                return Ok;
            case "sleep":
                if (args.Length != 1 || !int.TryParse(args[0], out var seconds) || seconds < 0) return Fail("sleep: expects whole seconds");
                await Task.Delay(TimeSpan.FromSeconds(seconds) < MaxSleep ? TimeSpan.FromSeconds(seconds) : MaxSleep, ct);
                return Ok;
            case "goto":
                return args.Length == 1 ? new Result(true, Goto: args[0]) : Fail("goto: expects one label");
            case "exit":
                return new Result(true, new IpxeOutcome.LocalBoot(args.Length > 0 && args[0] != "0" ? $"exit {args[0]}" : "exit"));
            case "sanboot":
                // The Portal only ever uses sanboot for the local drive; a SAN URL would be contacted by nothing here either.
                return new Result(true, new IpxeOutcome.LocalBoot("sanboot " + string.Join(' ', args)));
            case "isset":
                return new Result(args.Length > 0);
            case "iseq":
                return new Result(args.Length == 2 && args[0] == args[1]);
            case "dhcp" or "ifopen" or "ifconf" or "imgfree":
                if (name == "imgfree") ClearImages();
                return Ok;
            case "kernel" or "imgexec" or "initrd" or "imgfetch" or "module":
                return await LoadAsync(name, args, source, ct);
            case "imgargs":
                if (args.Length == 0 || kernel is null || (args[0] != kernelName && args[0] != FileName(kernel)))
                    return Fail($"imgargs: no image '{(args.Length > 0 ? args[0] : "")}'");
                commandLine = string.Join(' ', args[1..]);
                return Ok;
            case "boot":
                if (kernel is null) return Fail("boot: no kernel loaded");
                return new Result(true, new IpxeOutcome.KernelBoot(kernel, commandLine, initrds.ToList()));
            case "chain":
                return await ChainAsync(args, source, depth, ct);
            default:
                return Fail($"{name}: not a command this firmware knows");
        }
    }

    private async Task<Result> LoadAsync(string command, string[] args, Uri source, CancellationToken ct)
    {
        var (options, rest) = Options(args);
        if (rest.Length == 0) return Fail($"{command}: no image URL");
        if (!Uri.TryCreate(source, rest[0], out var url)) return Fail($"{command}: '{rest[0]}' is not a URL");
        var isKernel = command is "kernel" or "imgexec";
        if (!await downloads.ImageAsync(url, isKernel ? "kernel" : "initrd", machine, ct)) return Fail($"{command}: could not load {url}");
        if (isKernel)
        {
            ClearImages();
            kernel = url;
            kernelName = options.GetValueOrDefault("name") ?? FileName(url);
            commandLine = string.Join(' ', rest[1..]);
            if (command == "imgexec") return new Result(true, new IpxeOutcome.KernelBoot(kernel, commandLine, initrds.ToList()));
        }
        else initrds.Add(url);
        return Ok;
    }

    private async Task<Result> ChainAsync(string[] args, Uri source, int depth, CancellationToken ct)
    {
        var (options, rest) = Options(args);
        if (rest.Length == 0) return Fail("chain: no URL");
        if (!Uri.TryCreate(source, rest[0], out var url)) return Fail($"chain: '{rest[0]}' is not a URL");
        if (depth + 1 > MaxChainDepth) throw new IpxeScriptException($"chain is nested more than {MaxChainDepth} deep");
        if (!downloads.IsPortal(url))
        {
            logger.LogInformation("{Machine}: skipped chain to {Url} (not the Portal's; the lab never contacts it)", machine, url);
            return Fail($"chain: {url} skipped");
        }
        var script = await downloads.TextAsync(url, "chained script", machine, ct);
        if (script is null) return Fail($"chain: could not fetch {url.AbsolutePath}");
        if (!script.StartsWith("#!ipxe", StringComparison.Ordinal))
        {
            // Not a script: iPXE chains to it as an executable image, as if it were kernel + boot.
            return new Result(true, new IpxeOutcome.KernelBoot(url, string.Join(' ', rest[1..]), []));
        }
        var outcome = await RunAsync(script, url, depth + 1, ct);
        if (outcome is not null) return new Result(true, outcome);
        return options.ContainsKey("replace") ? new Result(true, new IpxeOutcome.LocalBoot("the chained script ended without booting")) : Ok;
    }

    private void ClearImages()
    {
        kernel = null;
        kernelName = "";
        commandLine = "";
        initrds.Clear();
    }

    /// <summary>Leading <c>--name x</c>, <c>--timeout x</c>, <c>--autofree</c>, <c>--replace</c>... before the URL.</summary>
    private static (Dictionary<string, string> Options, string[] Words) Options(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        for (; i < args.Length && args[i].StartsWith("--", StringComparison.Ordinal); i++)
        {
            var option = args[i][2..];
            var eq = option.IndexOf('=');
            if (eq >= 0) options[option[..eq]] = option[(eq + 1)..];
            else if (option is "name" or "timeout" && i + 1 < args.Length) options[option] = args[++i];
            else options[option] = "";
        }
        return (options, args[i..]);
    }

    /// <summary><c>${name}</c> or <c>${name:type}</c>; unset settings expand to nothing, as in iPXE.</summary>
    public string Expand(string line)
    {
        var result = new StringBuilder(line.Length);
        var i = 0;
        while (i < line.Length)
        {
            var open = line.IndexOf("${", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : line.IndexOf('}', open + 2);
            if (close < 0)
            {
                result.Append(line, i, line.Length - i);
                break;
            }
            result.Append(line, i, open - i);
            var reference = line[(open + 2)..close];
            var colon = reference.IndexOf(':');
            var (name, type) = colon < 0 ? (reference, "") : (reference[..colon], reference[(colon + 1)..]);
            var value = variables.GetValueOrDefault(name == "mac" ? "net0/mac" : name) ?? "";
            result.Append(type switch
            {
                "hexhyp" => value.Replace(':', '-'),
                "uristring" => Uri.EscapeDataString(value),
                _ => value,
            });
            i = close + 1;
        }
        return result.ToString();
    }

    private static string FileName(Uri url) => url.Segments.Length > 0 ? url.Segments[^1] : url.AbsolutePath;

    private Result Fail(string why)
    {
        logger.LogInformation("{Machine}: iPXE command failed: {Why}", machine, why);
        return new Result(false);
    }

    private static readonly Result Ok = new(true);

    private sealed record Result(bool Ok, IpxeOutcome? End = null, string? Goto = null);
}

/// <summary>A script iPXE would refuse outright (no <c>#!ipxe</c>) or one that loops without end.</summary>
public sealed class IpxeScriptException(string message) : Exception(message);
