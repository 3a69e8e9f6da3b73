/* Live alerts: every page listens to /live (Server-Sent Events) and, when an alert is posted or
   changes or disaster mode is switched, fetches the banners again from /alerts/banner and puts them in place. Nothing else on the page
   changes, so a form being typed loses nothing. Without JavaScript the banner is there on the next
   page load. The browser reconnects by itself and sends Last-Event-ID; the server replays what it missed. */
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !document.getElementById("alert-banner")) { return; }
  var timer = null;

  function refresh() {
    fetch("/alerts/banner", { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fetched = new DOMParser().parseFromString(html, "text/html");
        ["disaster-banner", "alert-banner"].forEach(function (id) {
          var fresh = fetched.getElementById(id), old = document.getElementById(id);
          if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
        });
        document.dispatchEvent(new CustomEvent("sns:alerts"));  // the map redraws its alerts layer
      })
      .catch(function () { /* the next event, or the next page load, brings it */ });
  }

  var source = new EventSource("/live");
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);  // several changes at once: one fetch
  }
  source.addEventListener("alert", soon);
  source.addEventListener("disaster", soon);
})();
