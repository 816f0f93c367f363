using MudBlazor;
using Portal.Account;
using Portal.Core.Reservations;

namespace Portal.Shell;

/// <summary>
/// The one way an interactive page carries out an action: check the role again on the server,
/// run the work in a DI scope of its own (a fresh DbContext per operation, never one per circuit),
/// and tell the person the outcome in a snackbar. Returns whether it succeeded.
/// </summary>
internal sealed class UiActions(IServiceScopeFactory scopes, CircuitUser user, ISnackbar snackbar, ILogger<UiActions> logger)
{
    /// <summary>Runs work that returns an <see cref="Outcome"/> (the Core rules' own answer).</summary>
    public async Task<bool> RunAsync(string[] roles, Func<IServiceProvider, Requester, Task<Outcome>> work)
    {
        var outcome = await TryAsync(roles, work);
        if (outcome is null) return false;
        snackbar.Add(outcome.Message, outcome.Succeeded ? Severity.Success : Severity.Error);
        return outcome.Succeeded;
    }

    /// <summary>Runs work that returns a message on success and throws (with a readable message) on failure.</summary>
    public async Task<bool> RunAsync(string[] roles, Func<IServiceProvider, Requester, Task<string>> work) =>
        await RunAsync(roles, async (services, who) => Outcome.Done(await work(services, who)));

    private async Task<Outcome?> TryAsync(string[] roles, Func<IServiceProvider, Requester, Task<Outcome>> work)
    {
        try
        {
            await user.RequireAsync(roles);
            var who = await user.RequesterAsync();
            await using var scope = scopes.CreateAsyncScope();
            return await work(scope.ServiceProvider, who);
        }
        catch (AccessDeniedException e)
        {
            snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // Rules on entities throw these with a reason a user can read.
            snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e)
        {
            logger.LogError(e, "UI action failed");
            snackbar.Add("That did not work: " + e.Message, Severity.Error);
        }
        return null;
    }
}
