namespace Portal.Lab.Hardware;

/// <summary>Real part names so the inventory looks like a real data centre, not "CPU model 1".</summary>
internal static class PartsCatalog
{
    public static readonly CpuFacts[] Cpus =
    [
        new("Intel(R) Corporation", "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", 16, 32, 3400),
        new("Intel(R) Corporation", "Intel(R) Xeon(R) Gold 5318Y CPU @ 2.10GHz", 24, 48, 3400),
        new("Intel(R) Corporation", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", 32, 64, 3200),
        new("Intel(R) Corporation", "Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz", 40, 80, 3400),
        new("Intel(R) Corporation", "Intel(R) Xeon(R) Gold 6430", 32, 64, 3400, "DDR5"),
        new("Intel(R) Corporation", "Intel(R) Xeon(R) Silver 4410Y", 12, 24, 3900, "DDR5"),
        new("Intel(R) Corporation", "Intel(R) Xeon(R) E-2388G CPU @ 3.20GHz", 8, 16, 5100, SingleSocketOnly: true),
        new("Advanced Micro Devices, Inc.", "AMD EPYC 7313 16-Core Processor", 16, 32, 3700),
        new("Advanced Micro Devices, Inc.", "AMD EPYC 7443P 24-Core Processor", 24, 48, 4000, SingleSocketOnly: true),
        new("Advanced Micro Devices, Inc.", "AMD EPYC 7543 32-Core Processor", 32, 64, 3700),
        new("Advanced Micro Devices, Inc.", "AMD EPYC 7763 64-Core Processor", 64, 128, 3500),
        new("Advanced Micro Devices, Inc.", "AMD EPYC 9354 32-Core Processor", 32, 64, 3800, "DDR5"),
        new("Advanced Micro Devices, Inc.", "AMD EPYC 9554 64-Core Processor", 64, 128, 3750, "DDR5"),
    ];

    /// <summary>Total memory choices in GiB (32 GiB .. 2 TiB).</summary>
    public static readonly int[] MemoryGiB = [32, 64, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048];

    public static readonly (string Manufacturer, string PartPrefix)[] DimmMakers =
        [("Samsung", "M393A"), ("Hynix", "HMA84GR7"), ("Micron Technology", "MTA36ASF")];

    public record DriveModel(string Manufacturer, string Model, string MediaType, string Protocol, long[] Capacities, int? Rpm = null);

    private const long GB = 1_000_000_000;

    public static readonly DriveModel[] Drives =
    [
        new("Samsung", "MZQL23T8HCLS-00A07 (PM9A3)", "SSD", "NVMe", [960 * GB, 1920 * GB, 3840 * GB, 7680 * GB]),
        new("Micron", "MTFDKCC3T8TFR (7450 PRO)", "SSD", "NVMe", [960 * GB, 1920 * GB, 3840 * GB]),
        new("Intel", "SSDPF2KX038TZ (D7-P5520)", "SSD", "NVMe", [1920 * GB, 3840 * GB, 7680 * GB]),
        new("Micron", "MTFDDAK960TDS (5300 PRO)", "SSD", "SATA", [480 * GB, 960 * GB, 1920 * GB]),
        new("Intel", "SSDSC2KB960G8 (D3-S4510)", "SSD", "SATA", [240 * GB, 480 * GB, 960 * GB]),
        new("Seagate", "ST16000NM002G (Exos X16)", "HDD", "SAS", [4000 * GB, 8000 * GB, 16000 * GB], 7200),
        new("Western Digital", "WUH721818AL5204 (Ultrastar DC HC550)", "HDD", "SAS", [12000 * GB, 18000 * GB], 7200),
        new("Toshiba", "MG08ACA16TE", "HDD", "SATA", [2000 * GB, 8000 * GB, 16000 * GB], 7200),
    ];

    public record NicModel(string Manufacturer, string Model, int SpeedMbps, string Oui);

    public static readonly NicModel[] Nics =
    [
        new("Intel Corporation", "Ethernet Controller X710 for 10GbE SFP+", 10_000, "3c:fd:fe"),
        new("Intel Corporation", "I350 Gigabit Network Connection", 1_000, "a0:36:9f"),
        new("Mellanox Technologies", "MT2892 Family [ConnectX-6 Dx]", 25_000, "b8:ce:f6"),
        new("Mellanox Technologies", "MT28908 Family [ConnectX-6]", 100_000, "0c:42:a1"),
        new("Broadcom Inc.", "BCM57414 NetXtreme-E 10Gb/25Gb", 25_000, "00:0a:f7"),
    ];

    public record GpuModel(string Manufacturer, string Model, long MemoryBytes, string VendorId, string DeviceId);

    private const long GiB = 1L << 30;

    public static readonly GpuModel[] Gpus =
    [
        new("NVIDIA Corporation", "NVIDIA A100 80GB PCIe", 80 * GiB, "0x10de", "0x20b5"),
        new("NVIDIA Corporation", "NVIDIA H100 PCIe", 80 * GiB, "0x10de", "0x2331"),
        new("NVIDIA Corporation", "NVIDIA L40S", 48 * GiB, "0x10de", "0x26b9"),
        new("NVIDIA Corporation", "NVIDIA A40", 48 * GiB, "0x10de", "0x2235"),
        new("NVIDIA Corporation", "NVIDIA Tesla T4", 16 * GiB, "0x10de", "0x1eb8"),
        new("Advanced Micro Devices, Inc. [AMD/ATI]", "AMD Instinct MI210", 64 * GiB, "0x1002", "0x740f"),
        new("Advanced Micro Devices, Inc. [AMD/ATI]", "AMD Instinct MI100", 32 * GiB, "0x1002", "0x738c"),
    ];
}
