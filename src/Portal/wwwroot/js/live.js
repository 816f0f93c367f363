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

    // htmx drops a trigger that arrives while the element's own request is in flight, and the
    // outerHTML swap then shows what was true when that request started. So a change that lands
    // mid-request is remembered (by element id) and fetched again once the swap is done;
    // otherwise the last change of a burst (a discovery run finishing) could be lost.
    var changedWhileLoading = {};

    function refresh(el) {
        if (el.classList.contains("htmx-request") && el.id) changedWhileLoading[el.id] = true;
        else htmx.trigger(el, "live-changed");
    }

    // Fetched again once the element's request is over. Not tied to the request's own events: with
    // an outerHTML swap those fire on the detached old element, which the document never hears.
    function flushChanged() {
        Object.keys(changedWhileLoading).forEach(function (id) {
            var current = document.getElementById(id);
            if (!current) { delete changedWhileLoading[id]; return; }
            if (current.classList.contains("htmx-request")) return; // still loading: next time
            delete changedWhileLoading[id];
            if (current.dataset.liveTopic) htmx.trigger(current, "live-changed");
        });
    }
    ["htmx:afterSettle", "htmx:afterRequest", "htmx:responseError", "htmx:sendError"].forEach(function (name) {
        document.addEventListener(name, function () { setTimeout(flushChanged, 50); });
    });
    setInterval(flushChanged, 1000); // a last resort that costs nothing while nothing is pending

    connection.on("changed", function (topic) {
        document.querySelectorAll("[data-live-topic]").forEach(function (el) {
            if (el.dataset.liveTopic.split(" ").indexOf(topic) >= 0) refresh(el);
        });
    });
    connection.onreconnecting(function () { show("connecting", "reconnecting"); });
    connection.onreconnected(function () {
        show("live", "live");
        // Changes may have happened while we were away: refresh everything that is live.
        document.querySelectorAll("[data-live-topic]").forEach(refresh);
    });
    connection.onclose(function () { show("offline", "offline"); setTimeout(start, 5000); });

    function start() {
        show("connecting", "connecting");
        connection.start().then(function () {
            show("live", "live");
            // The page was rendered before the hub was connected: a change in between (a run that
            // moved on while the page loaded) was never heard. Fragments marked data-live-catchup
            // (one or two per page) fetch themselves once; list rows are not marked, since a request
            // per row on every page load would cost more than the rare stale row.
            document.querySelectorAll("[data-live-topic][data-live-catchup]").forEach(refresh);
        })
            .catch(function () { show("offline", "offline"); setTimeout(start, 5000); });
    }
    start();
})();
