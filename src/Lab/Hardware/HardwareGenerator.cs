namespace Portal.Lab.Hardware;

/// <summary>
/// Makes machines from a seed. Every machine has its own Random derived from (seed, BMC index,
/// slot), so growing the fleet never changes the machines already in it.
/// </summary>
internal static class HardwareGenerator
{
    private const long GiB = 1L << 30;

    // Not HashCode.Combine: .NET randomises it per process, and the same seed must give the same
    // fleet in every process (tests pick seeds for the hardware they need).
    public static Random RandomFor(int seed, int bmcIndex, int slot) => new(Mix(seed, bmcIndex, slot));

    /// <summary>A fixed 32-bit mix (FNV-1a over the three values) that is stable across processes.</summary>
    internal static int Mix(int seed, int bmcIndex, int slot)
    {
        var hash = 2166136261u;
        foreach (var value in (ReadOnlySpan<int>)[seed, bmcIndex, slot, 0x1ab])
            for (var shift = 0; shift < 32; shift += 8)
                hash = (hash ^ (uint)((value >> shift) & 0xff)) * 16777619u;
        return (int)hash;
    }

    /// <param name="nicCounter">Fleet-unique running number that keeps host NIC MACs unique.</param>
    public static HardwareFacts Generate(VendorProfile profile, Random rng, int seed, ref int nicCounter)
    {
        var model = profile.Models[rng.Next(profile.Models.Count)];
        var cpu = PartsCatalog.Cpus[rng.Next(PartsCatalog.Cpus.Length)];
        // Blades are dense 1-socket-or-2 nodes; big 2-socket only when the part allows it.
        var sockets = cpu.SingleSocketOnly || rng.NextDouble() < 0.3 ? 1 : 2;
        var memoryGiB = PickMemory(rng, sockets);
        var isGpuBox = rng.NextDouble() < profile.GpuShare;

        return new HardwareFacts
        {
            Uuid = NewGuid(rng),
            SerialNumber = Serial(rng, profile.SerialPattern),
            Manufacturer = profile.Vendor,
            Model = model,
            BiosVersion = $"{rng.Next(1, 3)}.{rng.Next(0, 20)}.{rng.Next(0, 10)}",
            Cpu = cpu,
            Sockets = sockets,
            Dimms = Dimms(rng, memoryGiB, cpu.MemoryType),
            Disks = Disks(rng),
            Nics = Nics(rng, seed, ref nicCounter),
            Gpus = isGpuBox ? Gpus(rng) : [],
        };
    }

    public static Guid NewGuid(Random rng)
    {
        Span<byte> bytes = stackalloc byte[16];
        rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0f) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    public static string Serial(Random rng, string pattern)
    {
        const string letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string both = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        return string.Create(pattern.Length, (rng, pattern), static (span, s) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = s.pattern[i] switch
                {
                    '#' => (char)('0' + s.rng.Next(10)),
                    'A' => letters[s.rng.Next(letters.Length)],
                    'X' => both[s.rng.Next(both.Length)],
                    var c => c,
                };
            }
        });
    }

    public static string Password(Random rng)
    {
        // Factory passwords are unique per unit and printed on a pull-out tag; no ambiguous characters.
        const string chars = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(12, rng, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = chars[r.Next(chars.Length)];
        });
    }

    /// <summary>
    /// OUI + 24 bits. Multiplying by an odd constant is a bijection modulo 2^24, so different
    /// numbers (below 2^24) never collide, yet the MACs look scattered like real ones.
    /// </summary>
    public static string Mac(string oui, int seed, int number)
    {
        var low = (uint)((number + (long)seed * 7919) * 0x9E3779L) & 0xffffff;
        return $"{oui}:{low >> 16 & 0xff:x2}:{low >> 8 & 0xff:x2}:{low & 0xff:x2}";
    }

    private static int PickMemory(Random rng, int sockets)
    {
        // Bigger boxes tend to carry more memory; keep within 32 GiB..2 TiB.
        var options = PartsCatalog.MemoryGiB.Where(m => sockets == 2 ? m >= 64 : m <= 1024).ToArray();
        return options[rng.Next(options.Length)];
    }

    private static IReadOnlyList<DimmFacts> Dimms(Random rng, int totalGiB, string type)
    {
        int[] sizes = [16, 32, 64, 128];
        var fitting = sizes.Where(s => totalGiB % s == 0 && totalGiB / s is >= 2 and <= 32).ToArray();
        var size = fitting[rng.Next(fitting.Length)];
        var (maker, part) = PartsCatalog.DimmMakers[rng.Next(PartsCatalog.DimmMakers.Length)];
        var speed = type == "DDR5" ? 4800 : 3200;
        var count = totalGiB / size;
        var list = new List<DimmFacts>(count);
        for (var i = 0; i < count; i++)
        {
            var locator = $"{(char)('A' + i / 8)}{i % 8 + 1}";
            list.Add(new DimmFacts($"DIMM{i + 1}", $"DIMM_{locator}", size * GiB, type, speed, maker,
                $"{part}{size}G", Serial(rng, "XXXXXXXX")));
        }
        return list;
    }

    private static IReadOnlyList<DiskFacts> Disks(Random rng)
    {
        var count = rng.Next(1, 9);
        // Most machines use one or two drive models: a boot pair plus a data set.
        var boot = PartsCatalog.Drives[rng.Next(PartsCatalog.Drives.Length)];
        var data = PartsCatalog.Drives[rng.Next(PartsCatalog.Drives.Length)];
        var bootCapacity = boot.Capacities[rng.Next(boot.Capacities.Length)];
        var dataCapacity = data.Capacities[rng.Next(data.Capacities.Length)];
        var list = new List<DiskFacts>(count);
        for (var i = 0; i < count; i++)
        {
            var (m, cap) = i < Math.Min(2, count) ? (boot, bootCapacity) : (data, dataCapacity);
            list.Add(new DiskFacts($"Disk{i}", m.Model, m.Manufacturer, m.MediaType, m.Protocol, cap,
                Serial(rng, "XXXXXXXXXXXX"), m.Rpm));
        }
        return list;
    }

    private static IReadOnlyList<NicFacts> Nics(Random rng, int seed, ref int nicCounter)
    {
        var ports = rng.Next(2, 5);
        var model = PartsCatalog.Nics[rng.Next(PartsCatalog.Nics.Length)];
        var list = new List<NicFacts>(ports);
        for (var i = 0; i < ports; i++)
        {
            list.Add(new NicFacts($"NIC{i + 1}", Mac(model.Oui, seed, nicCounter++), model.SpeedMbps, model.Model, model.Manufacturer));
        }
        return list;
    }

    private static IReadOnlyList<GpuFacts> Gpus(Random rng)
    {
        int[] counts = [1, 2, 4, 8];
        var count = counts[rng.Next(counts.Length)];
        var model = PartsCatalog.Gpus[rng.Next(PartsCatalog.Gpus.Length)];
        return Enumerable.Range(1, count)
            .Select(i => new GpuFacts($"GPU{i}", model.Manufacturer, model.Model, model.MemoryBytes,
                Serial(rng, "############"), model.VendorId, model.DeviceId))
            .ToList();
    }
}
