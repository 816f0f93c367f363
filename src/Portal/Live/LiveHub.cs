using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Portal.Live;

/// <summary>
/// Browsers of the old htmx pages listen here for "changed(topic)" and re-fetch the fragments
/// showing that topic. Nothing is sent from the browser; the hub only pushes.
/// </summary>
[Authorize]
internal sealed class LiveHub : Hub;
