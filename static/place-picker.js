/* Choosing a place when writing: tap a small map, or use the phone's position, or type coordinates.
   The form works without this file (the latitude and longitude fields are plain inputs); with it,
   "Choose on a map" opens a Leaflet map served by this instance, loaded only when first opened. */
(function () {
  "use strict";
  var leaflet = null;

  function loadLeaflet() {
    if (typeof L !== "undefined") { return Promise.resolve(); }
    if (leaflet) { return leaflet; }
    leaflet = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = "/static/leaflet/leaflet.css";
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = "/static/leaflet/leaflet.js";
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return leaflet;
  }

  function setUp(picker) {
    if (picker.getAttribute("data-ready")) { return; }  // the script may be on the page twice
    picker.setAttribute("data-ready", "1");
    var fieldset = picker.closest("fieldset");
    var latInput = fieldset.querySelector("input[name=lat]");
    var lonInput = fieldset.querySelector("input[name=lon]");
    var status = picker.querySelector(".picker-status");
    var text = JSON.parse(picker.getAttribute("data-text") || "{}");
    var map = null, marker = null;

    function typed() {
      var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
      return isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
    }

    function place(latlng, message) {
      latInput.value = latlng[0].toFixed(5);
      lonInput.value = latlng[1].toFixed(5);
      show(latlng);
      if (message) { status.textContent = message; }
    }

    function show(latlng) {
      if (!map) { return; }
      if (marker) { marker.setLatLng(latlng); }
      else { marker = L.circleMarker(latlng, { radius: 10, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map); }
    }

    var opening = null;
    function open() {
      if (map) { map.invalidateSize(); return; }
      if (opening) { return; }  // opened from the page and from the toggle event: make the map once
      opening = loadLeaflet().then(function () {
        var here = typed();
        var centre = here || [parseFloat(picker.getAttribute("data-lat")), parseFloat(picker.getAttribute("data-lon"))];
        map = L.map(picker.querySelector(".picker-map"), { zoomControl: true }).setView(centre, parseInt(picker.getAttribute("data-zoom"), 10) || 15);
        var tiles = picker.getAttribute("data-tiles");
        if (tiles) {
          var credit = document.createElement("span");
          credit.textContent = picker.getAttribute("data-attribution") || "";
          L.tileLayer(tiles, { maxZoom: 19, attribution: credit.innerHTML }).addTo(map);
        }
        if (here) { show(here); }
        map.on("click", function (event) { place([event.latlng.lat, event.latlng.lng], text.chosen); });
      }).catch(function () { opening = null; picker.hidden = true; });
    }

    picker.hidden = false;
    picker.addEventListener("toggle", function () { if (picker.open) { open(); } });
    if (picker.open) { open(); }

    picker.querySelector(".locate").addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = text.denied; return; }
      status.textContent = text.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        var latlng = [position.coords.latitude, position.coords.longitude];
        place(latlng, text.located);
        if (map) { map.setView(latlng, 17); }
      }, function () { status.textContent = text.denied; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });

    picker.querySelector(".clear-place").addEventListener("click", function () {
      latInput.value = "";
      lonInput.value = "";
      if (marker) { marker.remove(); marker = null; }
    });

    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () { var here = typed(); if (here) { show(here); if (map) { map.panTo(here); } } });
    });
  }

  function start() { document.querySelectorAll("details.place-picker").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
