namespace Portal.Netboot.Dhcp;

/// <summary>One line dnsmasq logged about a DHCP or TFTP request.</summary>
public sealed record DhcpLogLine(DateTimeOffset At, string Text);

/// <summary>What the admin page shows: how dnsmasq is doing right now on this instance.</summary>
public sealed record DhcpSnapshot(
    DhcpMode Mode, string? Interface, bool Running, int? ProcessId, DateTimeOffset? StartedAt, int Starts,
    string? LastError, DateTimeOffset? LastErrorAt, string? ConfigPath, string? LeaseFile, IReadOnlyList<DhcpLogLine> Recent);

/// <summary>
/// The supervisor's state, written by it and read by pages and the API. Per instance and in memory on
/// purpose: it describes this process's child, which no other instance can see.
/// </summary>
public sealed class DhcpStatus(TimeProvider clock)
{
    public const int RecentLines = 100;

    private readonly object gate = new();
    private readonly Queue<DhcpLogLine> recent = new();
    private DhcpSnapshot snapshot = new(DhcpMode.Off, null, false, null, null, 0, null, null, null, null, []);

    /// <summary>Raised after every change (from the supervisor's threads): subscribers re-read <see cref="Current"/>.</summary>
    public event Action? Changed;

    public DhcpSnapshot Current { get { lock (gate) return snapshot; } }

    internal void Configured(DhcpMode mode, string? iface, string? configPath, string? leaseFile) =>
        Update(s => s with { Mode = mode, Interface = iface, ConfigPath = configPath, LeaseFile = leaseFile });

    internal void Started(int pid) => Update(s => s with { Running = true, ProcessId = pid, StartedAt = clock.GetUtcNow(), Starts = s.Starts + 1 });

    internal void Stopped() => Update(s => s with { Running = false, ProcessId = null });

    internal void Failed(string error) => Update(s => s with { LastError = error, LastErrorAt = clock.GetUtcNow() });

    internal void Heard(string line)
    {
        lock (gate)
        {
            recent.Enqueue(new DhcpLogLine(clock.GetUtcNow(), line));
            while (recent.Count > RecentLines) recent.Dequeue();
            snapshot = snapshot with { Recent = recent.Reverse().ToList() };
        }
        Changed?.Invoke();
    }

    private void Update(Func<DhcpSnapshot, DhcpSnapshot> change)
    {
        lock (gate) snapshot = change(snapshot);
        Changed?.Invoke();
    }
}
