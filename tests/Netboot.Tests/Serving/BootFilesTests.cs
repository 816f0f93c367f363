using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.Netboot.Tests.Serving;

/// <summary>
/// /boot-files/ on the real Portal host: regular files under the folder are served, links are followed and
/// must end inside the folder, and no spelling of a path gets out of it (a 4xx, never a 500).
/// </summary>
public sealed class BootFilesTests(BootFilesTests.Host host) : IClassFixture<BootFilesTests.Host>
{
    private const string Kernel = "kernel for the boot files tests\n";

    public sealed class Host : IAsyncLifetime
    {
        public PortalHost Portal { get; private set; } = null!;
        public string Outside { get; } = Directory.CreateTempSubdirectory("portal-outside-").FullName;

        public async Task InitializeAsync()
        {
            File.WriteAllText(Path.Combine(Outside, "secret"), "outside the folder\n");
            Portal = await PortalHost.StartAsync(root =>
            {
                Directory.CreateDirectory(Path.Combine(root, "rocky9"));
                File.WriteAllText(Path.Combine(root, "rocky9", "vmlinuz-9.4"), Kernel);
                File.CreateSymbolicLink(Path.Combine(root, "rocky9", "vmlinuz"), "vmlinuz-9.4");        // inside, relative
                File.CreateSymbolicLink(Path.Combine(root, "current"), Path.Combine(root, "rocky9"));   // a linked directory, inside
                File.CreateSymbolicLink(Path.Combine(root, "passwd"), "/etc/passwd");
                File.CreateSymbolicLink(Path.Combine(root, "secret"), Path.Combine(Outside, "secret"));
                File.CreateSymbolicLink(Path.Combine(root, "outside"), Outside);                        // a directory outside
                File.CreateSymbolicLink(Path.Combine(root, "null"), "/dev/null");
                File.CreateSymbolicLink(Path.Combine(root, "dangling"), Path.Combine(root, "gone"));
                File.CreateSymbolicLink(Path.Combine(root, "up"), "rocky9/../../");                       // resolves to the folder's parent
                File.WriteAllText(Path.Combine(root, ".hidden"), "dot file\n");
                using var mkfifo = Process.Start("mkfifo", Path.Combine(root, "fifo"))!;
                mkfifo.WaitForExit();
            });
        }

        public async Task DisposeAsync()
        {
            await Portal.DisposeAsync();
            Directory.Delete(Outside, recursive: true);
        }
    }

    private HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{host.Portal.Port}") };

    [Theory]
    [InlineData("rocky9/vmlinuz-9.4")]
    [InlineData("rocky9/vmlinuz")]
    [InlineData("current/vmlinuz")]
    public async Task ARegularFileOrALinkThatStaysInsideTheFolderIsServed(string path)
    {
        using var http = Client();
        using var response = await http.GetAsync("/boot-files/" + path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Kernel, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("passwd")]
    [InlineData("secret")]
    [InlineData("outside/secret")]
    [InlineData("up/etc/passwd")]
    [InlineData("null")]
    [InlineData("dangling")]
    [InlineData("fifo")]
    [InlineData("rocky9")]
    [InlineData("current")]
    [InlineData(".hidden")]
    [InlineData("missing")]
    public async Task ALinkOutOfTheFolderADirectoryAFifoOrADanglingLinkIsNotFound(string path)
    {
        using var http = Client();
        using var response = await http.GetAsync("/boot-files/" + path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/boot-files/../../../../etc/passwd")]
    [InlineData("/boot-files/rocky9/../../../../etc/passwd")]
    [InlineData("/boot-files/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/boot-files/%2E%2E/%2E%2E/%2E%2E/etc/passwd")]
    [InlineData("/boot-files/..%2f..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/boot-files/..%2F..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/boot-files/%252e%252e/%252e%252e/etc/passwd")]
    [InlineData("/boot-files/..%252f..%252f..%252fetc%252fpasswd")]
    [InlineData("/boot-files/..\\..\\..\\..\\etc\\passwd")]
    [InlineData("/boot-files/..%5c..%5c..%5c..%5cetc%5cpasswd")]
    [InlineData("/boot-files//etc/passwd")]
    [InlineData("/boot-files/%2fetc%2fpasswd")]
    [InlineData("/boot-files/rocky9/vmlinuz-9.4%00.txt")]
    [InlineData("/boot-files/passwd%00")]
    [InlineData("/boot-files/rocky9/./vmlinuz/..")]
    [InlineData("/boot-files/.%2e/.%2e/etc/passwd")]
    public async Task EveryTraversalSpellingIsRefusedWithA4xx(string target)
    {
        var (status, body) = await RawGetAsync(target);

        Assert.InRange(status, 400, 499); // the netboot 404; Kestrel itself refuses an encoded NUL with 400 before routing
        Assert.DoesNotContain("root:", body);
        Assert.DoesNotContain("outside the folder", body);
    }

    [Fact]
    public void TheTextCheckRefusesWhatKestrelLetsThrough()
    {
        string[] refused = ["", "/etc/passwd", "..", "a/../b", "a/./b", "a//b", "..%2fetc", "a\\b", "a\0b", "%2e%2e", new string('a', 513)];
        Assert.All(refused, p => Assert.True(Portal.Netboot.Serving.BootFiles.IsTraversal(p), p));
        Assert.False(Portal.Netboot.Serving.BootFiles.IsTraversal("rocky9/vmlinuz-9.4"));
    }

    /// <summary>The request target exactly as written (HttpClient would normalize it first), over one connection.</summary>
    private async Task<(int Status, string Body)> RawGetAsync(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, host.Portal.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ', 3)[1]);
        return (status, response);
    }
}
