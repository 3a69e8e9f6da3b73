/* The service worker for Web Push: shows the alert the server pushed (its title, status and place) and
   opens the alert's page when the notification is tapped. The payload is JSON
   {"title", "body", "url", "id", "tag"}, decrypted by the browser (RFC 8291). */
"use strict";

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var url = typeof data.url === "string" && data.url.charAt(0) === "/" ? data.url : "/alerts";
  event.waitUntil(self.registration.showNotification(data.title || "Alert", {
    body: data.body || "", tag: data.tag || url, renotify: true, requireInteraction: true,
    icon: "/static/favicon.svg", data: { url: url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/alerts";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].url.indexOf(url) !== -1 && "focus" in list[i]) { return list[i].focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
