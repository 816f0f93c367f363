using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Portal.Core.Users;
using Portal.EndToEnd.Provisioning;
using Portal.Netboot.Dhcp;
using Portal.TestSupport;

namespace Portal.EndToEnd.RealNetwork;

/// <summary>
/// A provisioning network inside a namespace: bridge br0 at 10.77.0.1/24, a tap per lab VM, and the Portal
/// itself running inside (Kestrel on the bridge address only) with its lab and its dnsmasq. The Portal
/// reaches PostgreSQL through the server's unix socket, which namespaces do not separate. The test drives it
/// through the REST API with an admin token, over sockets it opens inside the namespace.
/// </summary>
public sealed class PxeNetwork : IAsyncDisposable
{
    public const string Bridge = "br0", PortalAddress = "10.77.0.1";
    public static readonly string BaseUrl = $"http://{PortalAddress}:5080";
    private const string AdminEmail = "admin@pxe.local";

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("portal-pxe-").FullName;
    private readonly List<NetworkNamespace> namespaces = [];
    private string connectionString = "";
    private PortalProcess? portal;

    public NetworkNamespace Namespace { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public string Output => portal?.Output ?? "";
    public string LabDirectory => Path.Combine(dataDirectory, "lab");

    /// <summary>The namespace with its bridge and <paramref name="taps"/> tap devices, and an empty database.</summary>
    public static async Task<PxeNetwork> CreateAsync(int taps)
    {
        var network = new PxeNetwork();
        try
        {
            network.Namespace = network.Own(NetworkNamespace.Create("portal-pxe"));
            network.Namespace.AddBridge(Bridge, PortalAddress + "/24");
            for (var i = 0; i < taps; i++) network.Namespace.AddTap($"tap{i}", Bridge);
            network.connectionString = await TestPostgres.CreateDatabaseAsync("pxe");
            return network;
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>Another host on the bridge: a namespace of its own, joined by a veth pair, at <paramref name="cidr"/> (none: no address yet).</summary>
    public NetworkNamespace AddHost(string? cidr)
    {
        var host = Own(NetworkNamespace.Create("portal-site"));
        Namespace.Connect(Bridge, host, "eth0", cidr);
        return host;
    }

    /// <summary>Starts the Portal inside the namespace with the lab (its VMs on the taps) and <paramref name="settings"/>, then signs the API in.</summary>
    public async Task StartPortalAsync(int labVms, IReadOnlyDictionary<string, string> settings)
    {
        var installer = await LabInstallerBuild.EnsureAsync();
        var bootFiles = Directory.CreateDirectory(Path.Combine(dataDirectory, "boot-files", "lab-installer")).FullName;
        foreach (var file in new[] { "vmlinuz", "initrd.img" }) File.Copy(Path.Combine(installer, file), Path.Combine(bootFiles, file), overwrite: true);
        var all = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = BaseUrl, ["Netboot:PublicBaseUrl"] = BaseUrl,
            ["Portal:AdminEmail"] = AdminEmail,
            ["Logging:LogLevel:Portal.Netboot.Dhcp"] = "Information", // dnsmasq's own lines, for the output a failure prints
            ["Netboot:BootFilesDirectory"] = Path.GetDirectoryName(bootFiles)!,
            ["Netboot:Dhcp:Interface"] = Bridge,
            ["Lab:Enabled"] = "true", ["Lab:BmcCount"] = labVms.ToString(), ["Lab:VmBackedCount"] = labVms.ToString(), ["Lab:Profiles:0"] = "dell",
            ["Lab:Seed"] = "17", ["Lab:OutputDirectory"] = LabDirectory, ["Lab:VmDiskImage"] = Path.Combine(installer, "disk.img"),
            ["Provisioning:PollInterval"] = "00:00:00.250", ["Provisioning:QueuePollInterval"] = "00:00:00.250", ["Power:PollInterval"] = "00:00:00.200",
            ["Provisioning:ScriptFetchTimeout"] = "00:05:00", ["Provisioning:ConfigFetchTimeout"] = "00:05:00", ["Provisioning:InstallerTimeout"] = "00:05:00",
        };
        for (var i = 0; i < labVms; i++) all[$"Lab:VmTaps:{i}"] = $"tap{i}";
        foreach (var (key, value) in settings) all[key] = value;
        portal = new PortalProcess(await UnixSocketConnectionStringAsync(), dataDirectory, all, Namespace, BaseUrl);
        await portal.StartAsync();
        Api = Namespace.CreateHttpClient();
        Api.BaseAddress = new Uri(BaseUrl);
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTokenAsync());
    }

    /// <summary>Imports the lab's vendor credential list and discovers its BMCs (the lab's lease file is a source); returns machine ids in BMC order.</summary>
    public async Task<long[]> DiscoverLabAsync(int bmcs)
    {
        var csv = await File.ReadAllTextAsync(Path.Combine(LabDirectory, "bmc-credentials.csv"));
        (await Api.PostAsync("/api/v1/credentials/import", new StringContent(csv, new MediaTypeHeaderValue("text/csv")))).EnsureSuccessStatusCode();
        (await Api.PostAsync("/api/v1/discovery/runs", null)).EnsureSuccessStatusCode();
        JsonElement[] found = [];
        await Eventually.TrueAsync(async () =>
        {
            found = (await Api.GetFromJsonAsync<JsonElement[]>("/api/v1/bmcs"))!;
            return found.Length == bmcs && found.All(b => b.GetProperty("machines").GetInt32() == 1);
        }, "discovery to inventory the lab's BMCs", TimeSpan.FromSeconds(90));
        var ids = new List<long>();
        foreach (var bmc in found.OrderBy(b => System.Net.IPAddress.Parse(b.GetProperty("address").GetString()!).GetAddressBytes()[3]))
        {
            var detail = await Api.GetFromJsonAsync<JsonElement>($"/api/v1/bmcs/{bmc.GetProperty("id").GetInt64()}");
            ids.Add(detail.GetProperty("machines")[0].GetProperty("id").GetInt64());
        }
        return [.. ids];
    }

    /// <summary>Reserves the machine and starts the lab installer on it; returns the deployment id.</summary>
    public async Task<long> ProvisionAsync(long machineId, string hostname)
    {
        (await Api.PostAsJsonAsync("/api/v1/reservations", new { machineIds = new[] { machineId } })).EnsureSuccessStatusCode();
        var profiles = await Api.GetFromJsonAsync<JsonElement[]>("/api/v1/os-profiles");
        var profile = profiles!.Single(p => p.GetProperty("name").GetString() == "Lab installer").GetProperty("id").GetInt64();
        var started = await Api.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId = profile, hostname });
        var body = await started.Content.ReadAsStringAsync();
        Assert.True(started.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    public async Task<JsonElement> DeploymentAsync(long id) => await Api.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{id}");

    /// <summary>
    /// Waits until the run's workflow reaches Deployed (the installer's "done" finishes the deployment a
    /// moment before the workflow has cleared the boot override), or the run failed or was cancelled.
    /// </summary>
    public async Task<JsonElement> WaitUntilDeployedOrFailedAsync(long id, TimeSpan within)
    {
        JsonElement run = default;
        await Eventually.TrueAsync(async () =>
        {
            run = await DeploymentAsync(id);
            return run.GetProperty("step").GetString() == "Deployed" || run.GetProperty("state").GetString() is "Failed" or "Cancelled";
        }, $"deployment {id} to reach Deployed", within);
        return run;
    }

    public async Task<DhcpSnapshotView> DhcpAsync() => (await Api.GetFromJsonAsync<DhcpSnapshotView>("/api/v1/netboot/dhcp", Json))!;

    public sealed record DhcpSnapshotView(string Mode, string? Interface, bool Running, string? LastError, string? LeaseFile, DhcpLogLine[] Recent);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads the Portal's database from the test (over TCP on the host's loopback).</summary>
    public async Task<T?> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        var result = await cmd.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>The same database through the server's unix socket: the one way in from inside a namespace.</summary>
    private async Task<string> UnixSocketConnectionStringAsync()
    {
        var socketDirectory = (await QueryAsync<string>("SHOW unix_socket_directories"))!.Split(',')[0].Trim();
        return new NpgsqlConnectionStringBuilder(connectionString) { Host = socketDirectory }.ConnectionString;
    }

    /// <summary>An API token for the first admin, written as the profile page would (only its hash is stored).</summary>
    private async Task<string> CreateTokenAsync()
    {
        var userId = await QueryAsync<string>("""SELECT "Id" FROM "AspNetUsers" WHERE "NormalizedEmail" = @e""", ("e", AdminEmail.ToUpperInvariant()));
        var (token, secret) = ApiToken.Create(userId!, "pxe test", DateTimeOffset.UtcNow, null);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO "ApiTokens" ("UserId", "Name", "Prefix", "SecretHash", "CreatedAt") VALUES (@u, @n, @p, @h, now())
            """, conn);
        cmd.Parameters.AddWithValue("u", token.UserId);
        cmd.Parameters.AddWithValue("n", token.Name);
        cmd.Parameters.AddWithValue("p", token.Prefix);
        cmd.Parameters.AddWithValue("h", token.SecretHash);
        await cmd.ExecuteNonQueryAsync();
        return secret;
    }

    private NetworkNamespace Own(NetworkNamespace ns)
    {
        namespaces.Add(ns);
        return ns;
    }

    public async ValueTask DisposeAsync()
    {
        if (portal is not null) await portal.DisposeAsync();
        Api?.Dispose();
        foreach (var ns in namespaces) ns.Dispose();
        if (connectionString.Length > 0) await TestPostgres.DropDatabaseAsync(connectionString);
        Directory.Delete(dataDirectory, recursive: true);
    }
}
