using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Templates;

/// <summary>
/// Turns the inputs into the variables templates see (snake_case, like the docs and snippets use).
/// Values that end up inside kickstart lines, YAML or kernel command lines are checked here,
/// once, so no template has to defend against a newline in a hostname or parameter.
/// </summary>
internal static partial class TemplateModel
{
    public static Dictionary<string, object?> Build(NetbootContext context)
    {
        var (machine, profile, deployment, urls) = context;
        CheckDeployment(deployment);

        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in profile.DefaultParameters) parameters[key] = CheckedParameter(key, value);
        foreach (var (key, value) in deployment.Parameters) parameters[key] = CheckedParameter(key, value);

        var facts = machine.Facts;
        return new(StringComparer.Ordinal)
        {
            ["machine"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = machine.Id,
                ["name"] = machine.Name,
                ["mac"] = machine.Macs.FirstOrDefault(),
                ["macs"] = machine.Macs.ToList(),
                ["uuid"] = machine.Uuid?.ToString("D"),
                ["serial"] = machine.Serial,
                ["arch"] = machine.Architecture,
                ["boot_mode"] = machine.BootMode == BootMode.Uefi ? "uefi" : "bios",
                ["cpu"] = new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["model"] = facts.CpuModel,
                    ["sockets"] = facts.CpuSockets,
                    ["cores"] = facts.CpuCores,
                    ["threads"] = facts.CpuThreads,
                },
                ["memory_bytes"] = facts.MemoryBytes,
                ["memory_mib"] = facts.MemoryBytes / (1024 * 1024),
                ["disks"] = facts.Disks.Select(d => new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = d.Name,
                    ["size_bytes"] = d.SizeBytes,
                    ["size_gib"] = d.SizeBytes / (1024L * 1024 * 1024),
                    ["model"] = d.Model,
                    ["serial"] = d.Serial,
                }).ToList(),
                ["nics"] = facts.Nics.Select(n => new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["name"] = n.Name,
                    ["mac"] = n.Mac,
                    ["speed_mbps"] = n.SpeedMbps,
                }).ToList(),
                ["gpus"] = facts.Gpus.Select(g => new Dictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["model"] = g.Model,
                    ["vendor"] = g.Vendor,
                }).ToList(),
            },
            ["deployment"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["id"] = deployment.Id,
                ["hostname"] = deployment.Hostname,
                ["ssh_keys"] = deployment.SshKeys.ToList(),
                ["root_password_hash"] = deployment.RootPasswordHash,
                ["params"] = parameters,
            },
            ["portal"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["base_url"] = urls.Base,
                ["kickstart_url"] = urls.Kickstart(deployment.Token),
                ["nocloud_url"] = urls.NoCloudSeed(deployment.Token),
                ["events_url"] = urls.Events(deployment.Token),
            },
            ["profile"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = profile.Name,
                ["kind"] = profile.Kind.ToString().ToLowerInvariant(),
                ["kernel_url"] = urls.Resolve(profile.KernelUrl),
                ["initrd_urls"] = profile.InitrdUrls.Select(urls.Resolve).ToList(),
            },
        };
    }

    internal static void CheckDeployment(NetbootDeployment deployment)
    {
        if (!HostnamePattern().IsMatch(deployment.Hostname))
            throw new NetbootRenderException($"Hostname '{deployment.Hostname}' is not a valid DNS name (letters, digits, hyphens; dot-separated labels of 1-63).");
        foreach (var key in deployment.SshKeys)
        {
            if (!SshKeyPattern().IsMatch(key))
                throw new NetbootRenderException($"SSH key '{Shorten(key)}' is not a single-line OpenSSH public key (type, base64, optional comment).");
        }
        if (deployment.RootPasswordHash is { } hash && !CryptHashPattern().IsMatch(hash))
            throw new NetbootRenderException("The root password hash must be a crypt(3) hash such as $6$salt$hash, not a plain password.");
        if (!NetbootToken.IsWellFormed(deployment.Token))
            throw new NetbootRenderException("The deployment token is not well formed (see NetbootToken.New).");
    }

    private static string CheckedParameter(string key, string value)
    {
        if (!ParameterNamePattern().IsMatch(key))
            throw new NetbootRenderException($"Parameter name '{Shorten(key)}' must be letters, digits and underscores, starting with a letter.");
        if (value.Length > 4096 || value.Any(char.IsControl))
            throw new NetbootRenderException($"Parameter '{key}' must be a single line of at most 4096 characters.");
        return value;
    }

    private static string Shorten(string value) =>
        (value.Length > 40 ? value[..40] + "..." : value).ReplaceLineEndings(" ");

    // RFC 1123 labels; a trailing dot is not accepted because installers write this into files.
    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostnamePattern();

    [GeneratedRegex(@"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [\x20-\x21\x23-\x7e]{1,200})?$", RegexOptions.CultureInvariant)]
    private static partial Regex SshKeyPattern();

    [GeneratedRegex(@"^\$[0-9a-z]{1,3}\$[./A-Za-z0-9$=,-]{1,300}$", RegexOptions.CultureInvariant)]
    private static partial Regex CryptHashPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterNamePattern();

    internal static string Invariant(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
