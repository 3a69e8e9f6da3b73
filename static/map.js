/* The town map: markers from /map/features.json for the part of the map in view.
   The map itself (map_town) was drawn by folium's script on the page; this file adds the layers,
   asks for features when the view changes, and draws them. Text from the server is only ever set
   with textContent, never as HTML. */
(function () {
  "use strict";
  var section = document.getElementById("town-map");
  if (!section || typeof L === "undefined" || typeof map_town === "undefined") { return; }
  var map = map_town;
  var layers = JSON.parse(section.getAttribute("data-layers") || "[]");
  var text = JSON.parse(section.getAttribute("data-text") || "{}");
  var source = section.getAttribute("data-features");
  var status = document.getElementById("map-status");
  var groups = {};
  var overlays = {};
  var pending = null;
  var timer = null;

  section.classList.add("live");
  map.invalidateSize();

  function say(message) { status.textContent = message || ""; }
  function fill(template, n) { return template.replace("{n}", String(n)); }
  function colourOf(name) {
    for (var i = 0; i < layers.length; i++) { if (layers[i].name === name) { return layers[i].colour; } }
    return "#1f5f8b";
  }

  layers.forEach(function (layer) {
    var group = L.layerGroup();
    group.layerName = layer.name;
    groups[layer.name] = group;
    var label = document.createElement("span");
    var swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("data-colour", layer.colour);
    label.appendChild(swatch);
    label.appendChild(document.createTextNode(" " + layer.label));
    overlays[layer.name] = label;
    if (layer.shown) { group.addTo(map); }
  });
  // Leaflet's control takes the labels as HTML strings: give it the escaped markup of the nodes above.
  var control = {};
  Object.keys(overlays).forEach(function (name) { control[overlays[name].outerHTML] = groups[name]; });
  L.control.layers(null, control, { collapsed: window.innerWidth < 700 }).addTo(map);

  // Colours are set through the DOM (a style attribute in markup would break the strict CSP).
  document.querySelectorAll(".swatch[data-colour]").forEach(function (el) {
    el.style.background = el.getAttribute("data-colour");
  });

  var params = new URLSearchParams(window.location.search);
  var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon"));
  if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    var zoom = parseInt(params.get("zoom"), 10);
    map.setView([lat, lon], isFinite(zoom) ? Math.min(Math.max(zoom, 3), 19) : 17, { animate: false });
    L.circleMarker([lat, lon], { radius: 14, color: "#000", weight: 3, fill: false, interactive: false })
      .bindTooltip(text.chosen || "").addTo(map);
  }

  function popupFor(props) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement(props.url && props.url.charAt(0) === "/" ? "a" : "strong");
    if (title.tagName === "A") { title.href = props.url; }
    title.textContent = props.title || props.name || "";
    box.appendChild(title);
    ["status_label", "category", "when", "detail", "description"].forEach(function (key) {
      if (props[key]) {
        var line = document.createElement("p");
        line.textContent = String(props[key]);
        box.appendChild(line);
      }
    });
    return box;
  }

  function clusterMarker(latlng, props) {
    var icon = document.createElement("span");
    icon.textContent = String(props.count);
    icon.style.background = colourOf(props.layer);
    var size = props.count < 100 ? 34 : 44;
    var marker = L.marker(latlng, {
      icon: L.divIcon({ html: icon, className: "map-cluster", iconSize: [size, size] }),
      title: fill(text.cluster || "{n}", props.count), keyboard: true
    });
    marker.on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 19)); });
    return marker;
  }

  function draw(data) {
    Object.keys(groups).forEach(function (name) { groups[name].clearLayers(); });
    var count = 0;
    data.features.forEach(function (feature) {
      var props = feature.properties || {};
      var group = groups[props.layer];
      if (!group) { return; }
      var geometry = feature.geometry;
      if (geometry.type === "Point") {
        var latlng = [geometry.coordinates[1], geometry.coordinates[0]];
        if (props.cluster) {
          count += props.count;
          clusterMarker(latlng, props).addTo(group);
        } else {
          count += 1;
          var colour = colourOf(props.layer);
          if (props.radius_m) {  // an area around the point (an alert's radius), under its marker
            L.circle(latlng, { radius: props.radius_m, color: colour, weight: 2, fillOpacity: 0.12,
                               interactive: false }).addTo(group);
          }
          // `muted`: still there but not in use (a closed shelter, a resolved report): drawn faded.
          L.circleMarker(latlng, { radius: props.muted ? 7 : 9, color: "#fff", weight: 2, fillColor: colour,
                                   fillOpacity: props.muted ? 0.4 : 0.9 })
            .bindPopup(popupFor(props)).addTo(group);
        }
      } else {
        count += 1;
        var colour2 = colourOf(props.layer);
        L.geoJSON(feature, { style: { color: colour2, weight: 3, fillOpacity: 0.15 } })
          .bindPopup(popupFor(props)).addTo(group);
      }
    });
    if (!data.complete) { say(text.incomplete); }
    else if (count === 0) { say(text.nothing); }
    else { say(fill(text.shown || "{n}", count)); }
  }

  function active() {
    return Object.keys(groups).filter(function (name) { return map.hasLayer(groups[name]); });
  }

  function load() {
    var names = active();
    if (pending) { pending.abort(); }
    if (!names.length) { say(""); return; }
    pending = new AbortController();
    var bounds = map.getBounds();
    var west = Math.max(bounds.getWest(), -180), east = Math.min(bounds.getEast(), 180);
    var south = Math.max(bounds.getSouth(), -90), north = Math.min(bounds.getNorth(), 90);
    var url = source + "?bbox=" + [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",") +
      "&zoom=" + map.getZoom() + "&layers=" + encodeURIComponent(names.join(","));
    say(text.loading);
    fetch(url, { credentials: "same-origin", signal: pending.signal, headers: { "Accept": "application/geo+json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.error || response.statusText); }
          return data;
        });
      })
      .then(draw)
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        say(error.message && error.message !== "Failed to fetch" ? error.message : text.failed);
      });
  }

  function soon() { clearTimeout(timer); timer = setTimeout(load, 200); }
  map.on("moveend", soon);
  map.on("overlayadd overlayremove", soon);
  document.addEventListener("sns:alerts", soon);  // static/live.js: an alert was posted or changed
  soon();
})();
