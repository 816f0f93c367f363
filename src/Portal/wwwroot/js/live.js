// Live updates: the hub says which topic changed; every element that shows that topic
// (data-live-topic="audit machine:42") re-fetches its own fragment through htmx
// (hx-trigger="live-changed"). The server stays the only place that renders HTML.
(function () {
    // htmx requests that change state carry the antiforgery token like normal forms do.
    document.addEventListener("htmx:configRequest", function (e) {
        var meta = document.querySelector('meta[name="antiforgery-token"]');
        if (meta && meta.content) e.detail.headers["RequestVerificationToken"] = meta.content;
    });

    var indicator = document.getElementById("live-status");
    if (!indicator || !window.signalR) return; // not signed in: nothing to listen to

    function show(state, label) {
        indicator.dataset.state = state;
        indicator.className = "badge me-3 " + ({ live: "text-bg-success", connecting: "text-bg-warning" }[state] || "text-bg-secondary");
        indicator.querySelector(".live-label").textContent = label;
    }

    var connection = new signalR.HubConnectionBuilder()
        .withUrl("/hubs/live")
        .withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 30000])
        .build();

    connection.on("changed", function (topic) {
        document.querySelectorAll("[data-live-topic]").forEach(function (el) {
            if (el.dataset.liveTopic.split(" ").indexOf(topic) >= 0) htmx.trigger(el, "live-changed");
        });
    });
    connection.onreconnecting(function () { show("connecting", "reconnecting"); });
    connection.onreconnected(function () {
        show("live", "live");
        // Changes may have happened while we were away: refresh everything that is live.
        document.querySelectorAll("[data-live-topic]").forEach(function (el) { htmx.trigger(el, "live-changed"); });
    });
    connection.onclose(function () { show("offline", "offline"); setTimeout(start, 5000); });

    function start() {
        show("connecting", "connecting");
        connection.start().then(function () { show("live", "live"); })
            .catch(function () { show("offline", "offline"); setTimeout(start, 5000); });
    }
    start();
})();
