/* Web Push on this browser (Settings › Being told of alerts): registers the service worker
   (/static/push-sw.js), subscribes with this site's VAPID public key (data-key) and posts the
   subscription (endpoint, p256dh, auth) to /settings/alerts/push with the CSRF token; "off"
   unsubscribes and tells the server. Without JavaScript the section stays hidden and e-mail still works. */
(function () {
  "use strict";
  var box = document.getElementById("web-push");
  if (!box) { return; }
  var text = JSON.parse(box.getAttribute("data-text") || "{}");
  var status = box.querySelector(".push-status");
  box.hidden = false;

  function say(message) { status.textContent = message || ""; }
  if (!("serviceWorker" in navigator) || !window.PushManager || !window.Notification || !window.fetch) {
    say(text.unsupported);
    box.querySelector(".push-on").disabled = true;
    box.querySelector(".push-off").disabled = true;
    return;
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  function b64url(buffer) {
    var bytes = new Uint8Array(buffer), s = "";
    for (var i = 0; i < bytes.length; i += 1) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function tell(fields) {
    var body = new URLSearchParams(fields);
    body.set("csrf_token", box.getAttribute("data-csrf"));
    return fetch("/settings/alerts/push", { method: "POST", credentials: "same-origin", body: body,
                                             headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (d) { return r.ok ? d : Promise.reject(d); }); });
  }

  // Its scope is /static/, so this page is not one it controls and `serviceWorker.ready` would never
  // resolve here: wait for this registration's own worker to be active (PushManager needs that).
  function activated(reg) {
    var worker = reg.installing || reg.waiting;
    if (reg.active || !worker) { return Promise.resolve(reg); }
    return new Promise(function (resolve) {
      worker.addEventListener("statechange", function () { if (worker.state === "activated") { resolve(reg); } });
    });
  }

  function registration() { return navigator.serviceWorker.register("/static/push-sw.js").then(activated); }

  box.querySelector(".push-on").addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { return Promise.reject({ error: text.denied }); }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (old) {
        return old || reg.pushManager.subscribe({ userVisibleOnly: true,
                                                  applicationServerKey: keyBytes(box.getAttribute("data-key")) });
      });
    }).then(function (sub) {
      return tell({ endpoint: sub.endpoint, p256dh: b64url(sub.getKey("p256dh")), auth: b64url(sub.getKey("auth")) });
    }).then(function (d) { say(d.message || text.on); })
      .catch(function (e) { say((e && e.error) || text.failed); });
  });

  box.querySelector(".push-off").addEventListener("click", function () {
    registration().then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) { return { message: text.off }; }
        var endpoint = sub.endpoint;
        return sub.unsubscribe().then(function () { return tell({ action: "remove", endpoint: endpoint }); });
      })
      .then(function (d) { say(d.message || text.off); })
      .catch(function (e) { say((e && e.error) || text.failed); });
  });
})();
