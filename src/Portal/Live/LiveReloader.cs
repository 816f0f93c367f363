namespace Portal.Live;

/// <summary>
/// Turns a burst of changes into few reloads: at most one reload runs at a time, and changes that
/// arrive meanwhile are folded into one more reload after it. So the last change of a burst is
/// never lost, and a page under a storm of changes reloads as fast as it can render, not faster.
/// </summary>
public sealed class LiveReloader(Func<Task> reload)
{
    private readonly Lock gate = new();
    private bool running;
    private bool pending;

    public async Task RequestAsync()
    {
        lock (gate)
        {
            if (running) { pending = true; return; }
            running = true;
        }
        while (true)
        {
            try { await reload(); }
            catch
            {
                lock (gate) { running = false; pending = false; }
                throw;
            }
            lock (gate)
            {
                if (!pending) { running = false; return; }
                pending = false;
            }
        }
    }
}
