using System.Security.Cryptography;

namespace Portal.Lab.Redfish;

internal sealed record RedfishSession(string Id, string Token, string UserName, DateTimeOffset Created)
{
    public DateTimeOffset LastUsed { get; set; } = Created;
}

internal enum LoginResult { Ok, BadCredentials, LockedOut }

/// <summary>
/// The BMC's one factory account, its sessions and the bad-login lockout. Real BMCs lock the
/// account after a few wrong passwords, which is exactly what a careless discovery run trips over.
/// </summary>
internal sealed class BmcSecurity(LabBmc bmc, LabOptions options)
{
    private readonly Dictionary<string, RedfishSession> sessions = new(StringComparer.Ordinal);
    private int failures;
    private DateTimeOffset lockedUntil = DateTimeOffset.MinValue;
    private int nextSessionId;

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    public TimeSpan SessionTimeout => options.SessionTimeout;

    public bool IsLocked
    {
        get { lock (bmc.Sync) return Now < lockedUntil; }
    }

    public void Unlock()
    {
        lock (bmc.Sync)
        {
            failures = 0;
            lockedUntil = DateTimeOffset.MinValue;
        }
    }

    public LoginResult CheckPassword(string? user, string? password)
    {
        lock (bmc.Sync)
        {
            if (Now < lockedUntil) return LoginResult.LockedOut;
            // Compare in constant time anyway: a lab that teaches bad habits is a bad lab.
            var ok = FixedEquals(user, bmc.Username) & FixedEquals(password, bmc.Password);
            if (ok)
            {
                failures = 0;
                return LoginResult.Ok;
            }
            if (++failures >= options.LockoutThreshold)
            {
                lockedUntil = Now + options.LockoutDuration;
                failures = 0;
            }
            return LoginResult.BadCredentials;
        }
    }

    private static bool FixedEquals(string? a, string b) =>
        a is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    /// <summary>Null when the BMC's session table is full.</summary>
    public RedfishSession? CreateSession(string user)
    {
        lock (bmc.Sync)
        {
            DropExpired();
            if (sessions.Count >= options.MaxSessions) return null;
            var id = (++nextSessionId).ToString();
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var session = new RedfishSession(id, token, user, Now);
            sessions[id] = session;
            bmc.Counter.SessionCreated();
            return session;
        }
    }

    /// <summary>The live session for a token, touched so its idle timer restarts.</summary>
    public RedfishSession? UseToken(string token)
    {
        lock (bmc.Sync)
        {
            DropExpired();
            foreach (var s in sessions.Values)
            {
                if (!FixedEquals(token, s.Token)) continue;
                s.LastUsed = Now;
                return s;
            }
            return null;
        }
    }

    public IReadOnlyList<RedfishSession> List()
    {
        lock (bmc.Sync)
        {
            DropExpired();
            return sessions.Values.OrderBy(s => int.Parse(s.Id)).ToList();
        }
    }

    public RedfishSession? Find(string id)
    {
        lock (bmc.Sync)
        {
            DropExpired();
            return sessions.GetValueOrDefault(id);
        }
    }

    public int Count
    {
        get { lock (bmc.Sync) { DropExpired(); return sessions.Count; } }
    }

    /// <summary>Forgets every session at once, as a BMC reboot does: clients get 401 next time.</summary>
    public void Clear()
    {
        lock (bmc.Sync) sessions.Clear();
    }

    public bool Delete(string id)
    {
        lock (bmc.Sync) return sessions.Remove(id);
    }

    private void DropExpired()
    {
        if (sessions.Count == 0) return;
        var limit = Now - options.SessionTimeout;
        foreach (var s in sessions.Values.Where(s => s.LastUsed < limit).ToList()) sessions.Remove(s.Id);
    }
}
