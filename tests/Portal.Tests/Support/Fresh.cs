using Bunit.Rendering;

namespace Portal.Tests.Support;

/// <summary>
/// The one way these tests dispatch a UI event. A page re-renders by itself — a live push, a load
/// finishing — and a render between finding an element and dispatching its event retires the
/// handler: bUnit throws <see cref="UnknownEventHandlerIdException"/> and nothing was dispatched.
/// Finding the element again and dispatching once more is then exactly what a user's next click is.
/// </summary>
public static class Fresh
{
    private const int Attempts = 20;

    /// <summary>Runs <paramref name="findAndDispatch"/> (which must find its element itself) until no render gets in between.</summary>
    public static void Dispatch(Action findAndDispatch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                findAndDispatch();
                return;
            }
            catch (Exception e) when (attempt < Attempts && Retired(e))
            {
                Thread.Sleep(10 * attempt); // let the render that got in between finish
            }
        }
    }

    private static bool Retired(Exception e) =>
        e is UnknownEventHandlerIdException || e.InnerException is UnknownEventHandlerIdException
        || e is AggregateException { InnerExceptions: var all } && all.Any(Retired);
}
