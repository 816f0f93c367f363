using Microsoft.Extensions.Logging;

namespace Portal.Lab;

/// <summary>
/// Standalone lab: <c>dotnet run --project src/Lab -- --bmcs 50</c>. Not top-level statements,
/// because the Portal host references this assembly and has its own Program.
/// </summary>
public static class LabProgram
{
    public const string Usage = """
        Portal virtual lab: simulated Redfish BMCs on 127.x addresses.
          --bmcs N             number of BMCs (default 8)
          --seed N             hardware seed (default 1)
          --first-address IP   first BMC address (default 127.0.10.1)
          --port N             port on every BMC address (default: a free one)
          --http               plain HTTP instead of HTTPS
          --output DIR         where the credential CSV, lease file and VM logs go
          --netboot-url URL    boot file QEMU's DHCP hands to iPXE (e.g. http://10.0.2.2:5000/boot.ipxe)
          --vms N              how many machines are QEMU-backed (default 0)
          --profiles a,b,c     vendor profiles round-robin (dell,hpe,lenovo,supermicro,gigabyte,blade)
          --control-port N     control API port on 127.0.0.1 (default: a free one)
          --verbose            log every request error
        """;

    public static async Task<int> Main(string[] args)
    {
        LabOptions options;
        bool verbose;
        try
        {
            (options, verbose) = Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + "\n\n" + Usage);
            return 2;
        }
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information));
        await using var fleet = await LabFleet.StartAsync(options, loggers);
        PrintBanner(fleet);

        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
        Console.WriteLine("lab: stopping");
        return 0;
    }

    private static void PrintBanner(LabFleet fleet)
    {
        Console.WriteLine($"lab: {fleet.Bmcs.Count} BMCs ({fleet.Systems.Count()} systems) started in {fleet.StartupTime.TotalMilliseconds:F0} ms");
        Console.WriteLine($"lab: credential list  {fleet.CredentialCsvPath}");
        Console.WriteLine($"lab: DHCP lease file  {fleet.LeaseFilePath}");
        Console.WriteLine($"lab: control API      {fleet.ControlUri}lab/bmcs");
        foreach (var b in fleet.Bmcs.Take(5))
        {
            Console.WriteLine($"lab: {b.Profile.Name,-10} {b.BaseUri}redfish/v1  user {b.Username} password {b.Password}  mac {b.Mac}");
        }
        if (fleet.Bmcs.Count > 5) Console.WriteLine($"lab: ... and {fleet.Bmcs.Count - 5} more (see the credential list)");
        Console.WriteLine("lab: press Ctrl+C to stop");
    }

    public static (LabOptions Options, bool Verbose) Parse(string[] args)
    {
        var o = new LabOptions();
        var verbose = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.TryParse(Next(), out var n) ? n : throw new ArgumentException($"{args[i - 1]} needs a number.");
            if (args[i] == "--verbose")
            {
                verbose = true;
                continue;
            }
            o = args[i] switch
            {
                "--bmcs" => o with { BmcCount = NextInt() },
                "--seed" => o with { Seed = NextInt() },
                "--first-address" => o with { FirstAddress = Next() },
                "--port" => o with { Port = NextInt() },
                "--http" => o with { Https = false },
                "--output" => o with { OutputDirectory = Next() },
                "--netboot-url" => o with { NetbootUrl = Next() },
                "--vms" => o with { VmBackedCount = NextInt() },
                "--profiles" => o with { Profiles = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--control-port" => o with { ControlPort = NextInt() },
                "--help" or "-h" => o,
                var other => throw new ArgumentException($"Unknown option '{other}'."),
            };
        }
        foreach (var p in o.Profiles) VendorProfiles.Find(p);
        return (o, verbose);
    }
}
