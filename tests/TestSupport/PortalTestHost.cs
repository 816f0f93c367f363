using Microsoft.AspNetCore.Hosting;

namespace Portal.TestSupport;

/// <summary>The settings every test host of the Portal uses: its own database, data folder and first admin.</summary>
public static class PortalTestHost
{
    public static void Configure(IWebHostBuilder builder, string connectionString, string dataDirectory, string adminEmail, string adminPassword)
    {
        builder.UseEnvironment("Testing");
        // Outside Development the host does not read the build's static web assets manifest by itself;
        // without it blazor.web.js and MudBlazor's files (package assets, not in wwwroot) are missing.
        builder.UseStaticWebAssets();
        builder.UseSetting("ConnectionStrings:Portal", connectionString);
        builder.UseSetting("Portal:DataDirectory", dataDirectory);
        builder.UseSetting("Portal:AdminEmail", adminEmail);
        builder.UseSetting("Portal:AdminPassword", adminPassword);
        builder.UseSetting("DataProtection:KeyRingCertificate", TestKeyRing.CertificatePath);
        // Tests sign in with the password they configured; the change at first sign-in has tests of its own.
        builder.UseSetting("Portal:AdminMustChangePassword", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // No periodic discovery in tests: runs happen when a test asks for one.
        builder.UseSetting("Discovery:IntervalMinutes", "0");
        // Test labs write their lease files into throwaway folders under the temp directory.
        builder.UseSetting("Discovery:LeaseDirectories:0", Path.GetTempPath());
        // Quartz shares schedulers by name within a process: each host in a test process needs its own,
        // or one host's jobs run in (and stop with) another's scheduler, against another database.
        builder.UseSetting("Scheduler:Name", $"portal-test-{Guid.NewGuid():N}");
        // In-memory test servers answer as http://localhost; hosts on a real port say so with ReachableAt.
        builder.UseSetting("Netboot:PublicBaseUrl", "http://localhost");
    }

    /// <summary>
    /// For a host on Kestrel at 127.0.0.1:<paramref name="port"/>: the URLs its netboot hands out, as
    /// `make run` sets them — the loopback one, and QEMU user networking's 10.0.2.2 for VMs.
    /// </summary>
    public static void ReachableAt(IWebHostBuilder builder, int port)
    {
        builder.UseSetting("Netboot:PublicBaseUrl", $"http://127.0.0.1:{port}");
        builder.UseSetting("Netboot:AlsoReachableAt:0", $"http://10.0.2.2:{port}");
    }

    /// <summary>A loopback port free right now, for a host that must know its URL before it starts.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try { return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port; }
        finally { listener.Stop(); }
    }
}
