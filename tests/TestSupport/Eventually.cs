namespace Portal.TestSupport;

/// <summary>
/// Waits for something another thread or process makes true. The one polling helper of the
/// tests: the condition is the assertion, the delay between checks is not.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Returns once <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> otherwise.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>As above, for a condition that has to ask someone (a scheduler, a database).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Still waiting, after {timeout ?? DefaultTimeout}, for: {what}");
            await Task.Delay(20);
        }
    }
}
