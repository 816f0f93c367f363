using System.Diagnostics;
using Microsoft.Extensions.Options;
using Portal.Core.Discovery.Leases;
using Portal.Core.Discovery.Runs;

namespace Portal.Core.Tests.Discovery;

/// <summary>
/// A lease-file source names a path an admin typed, and the Portal runs as root: only regular files
/// under the lease directories are read, never more than the size limit, and no reason or parse issue
/// repeats what a file that is not a lease file contains.
/// </summary>
public sealed class LeaseFilesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("portal-lease-dir-").FullName;

    private LeaseFiles Reader(int maxBytes = 1024 * 1024, params string[] directories) => new(Options.Create(new DiscoveryOptions
    {
        LeaseDirectories = directories.Length > 0 ? [.. directories] : [folder],
        MaxLeaseFileBytes = maxBytes,
    }));

    [Fact]
    public async Task ALeaseFileInsideALeaseDirectoryIsRead()
    {
        var path = Path.Combine(folder, "dnsmasq.leases");
        await File.WriteAllTextAsync(path, "0 12:44:6a:3b:04:11 10.0.0.5 bmc *\n");

        var read = await Reader().ReadAsync(path, default);

        Assert.Equal((null, "0 12:44:6a:3b:04:11 10.0.0.5 bmc *\n"), (read.Problem, read.Text));
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("/etc/passwd")]
    [InlineData("/dev/zero")]
    [InlineData("/proc/self/environ")]
    public async Task AFileOutsideTheLeaseDirectoriesIsNeverRead(string path)
    {
        var read = await Reader().ReadAsync(path, default);

        Assert.Null(read.Text);
        Assert.Contains("outside the lease directories", read.Problem);
        Assert.Contains("Lease files are read only from", Reader().PathProblem(path));
    }

    [Fact]
    public async Task ALinkFromALeaseDirectoryToAFileOutsideItIsNotFollowedOut()
    {
        var link = Path.Combine(folder, "dhcpd.leases");
        File.CreateSymbolicLink(link, "/etc/passwd");

        var read = await Reader().ReadAsync(link, default);

        Assert.Null(read.Text);
        Assert.Contains("outside the lease directories", read.Problem);
        Assert.NotNull(Reader().PathProblem(link));
    }

    [Fact]
    public async Task ADeviceAFifoOrAFolderIsNotALeaseFile()
    {
        var fifo = Path.Combine(folder, "fifo.leases");
        using (var mkfifo = Process.Start("mkfifo", fifo)) await mkfifo.WaitForExitAsync();
        Directory.CreateDirectory(Path.Combine(folder, "sub.leases"));

        // /dev allowed on purpose, to show that the check is on the file's type, not only its folder.
        var zero = await Reader(1024, "/dev").ReadAsync("/dev/zero", default);
        var pipe = await Reader().ReadAsync(fifo, default);
        var directory = await Reader().ReadAsync(Path.Combine(folder, "sub.leases"), default);

        Assert.All([zero, pipe, directory], r => Assert.Equal((null, "is not a regular file"), (r.Text, r.Problem)));
    }

    [Fact]
    public async Task AFileOverTheSizeLimitIsNotRead()
    {
        var path = Path.Combine(folder, "big.leases");
        await File.WriteAllTextAsync(path, new string('#', 2 * 1024 * 1024 + 1));

        var read = await Reader(2 * 1024 * 1024).ReadAsync(path, default);

        Assert.Null(read.Text);
        Assert.Contains("larger than the 2 MiB limit", read.Problem);
    }

    [Fact]
    public async Task AMissingFileSaysSoAndItsFolderMayStillBeConfigured()
    {
        var path = Path.Combine(folder, "not-yet.leases");

        Assert.Contains("does not exist", (await Reader().ReadAsync(path, default)).Problem);
        Assert.Null(Reader().PathProblem(path));
    }

    [Fact]
    public void ParseIssuesNeverRepeatWhatAFileThatIsNotALeaseFileContains()
    {
        const string shadow = """
            root:$y$j9T$Zm9vYmFyYmF6cXV4$aGVsbG8gd29ybGQgdGhpcyBpcyBhIGhhc2g:19700:0:99999:7:::
            1767225600 $6$c2FsdHNhbHQ$c2VjcmV0aGFzaHNlY3JldGhhc2g 10.0.0.1
            1767225600 12:44:6a:3b:04:11 sk-live-0123456789abcdefghijklmnopqrstuvwxyz
            lease $6$c2FsdHNhbHQ$c2VjcmV0aGFzaHNlY3JldGhhc2g { hardware ethernet 12:44:6a:3b:04:11; }
            lease 10.0.0.9 { hardware ethernet $6$c2FsdHNhbHQ$c2VjcmV0aGFzaHNlY3JldGhhc2g; }
            """;

        var issues = DnsmasqLeaseParser.Parse(shadow).Issues.Concat(IscDhcpLeaseParser.Parse(shadow).Issues).Select(i => i.Message).ToList();

        Assert.NotEmpty(issues);
        Assert.All(issues, i =>
        {
            Assert.DoesNotContain("$6$", i);
            Assert.DoesNotContain("$y$", i);
            Assert.DoesNotContain("sk-live", i);
        });
        // A short field that looks like one is still quoted, so a typo can be found.
        Assert.Contains("'10.0.0.256'", Assert.Single(DnsmasqLeaseParser.Parse("0 12:44:6a:3b:04:11 10.0.0.256 x *").Issues).Message);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
