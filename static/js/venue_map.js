/* Maillage: the maps of the public directory (/annuaire/), drawn with Leaflet.
 *
 * The page carries its settings in <script id="venue-map-config" type="application/json">
 * (tile server and attribution from the Django settings, marker images, translated
 * texts) and a hidden <section data-venue-map>:
 *
 * - mode "list": fetches the points of every venue matching the page's filters from
 *   config.dataUrl ({count, venues: [{id, name, city, lat, lon, url}]}), groups them
 *   with Leaflet.markercluster beyond config.clusterFrom points, fits the map to them
 *   and says in words how many venues are on the map (its text alternative);
 * - mode "point": the venue page's single marker (config.point).
 *
 * Markers keep Leaflet's keyboard access (Tab reaches them, Enter opens the popup) and
 * have a title; popups link to the venue's page. Every text from the data is set with
 * textContent, never as HTML. Without JavaScript, or when Leaflet did not load, the
 * section stays hidden and the page (the list, the address) is complete without it.
 */
(function () {
  "use strict";

  function readConfig() {
    var node = document.getElementById("venue-map-config");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (err) { return null; }
  }

  // "%(count)s venues on the map" with {count: 12} -> "12 venues on the map"
  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function isLocalPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/";
  }

  function popupContent(point) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    if (isLocalPath(point.url)) {
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      title.appendChild(link);
    } else {
      title.textContent = point.name;
    }
    box.appendChild(title);
    if (point.city) {
      var city = document.createElement("p");
      city.textContent = point.city;
      box.appendChild(city);
    }
    return box;
  }

  function makeMarker(point, withPopup) {
    var label = point.city ? point.name + " (" + point.city + ")" : point.name;
    var marker = L.marker([point.lat, point.lon], { title: label, alt: label, keyboard: true, riseOnHover: true });
    if (withPopup) { marker.bindPopup(popupContent(point)); }
    return marker;
  }

  function createMap(canvas, config) {
    // Marker images by their static URLs: Leaflet's own guess fails on hashed file names.
    L.Icon.Default.imagePath = "";
    L.Icon.Default.mergeOptions(config.icons || {});
    var map = L.map(canvas, { scrollWheelZoom: false });
    L.tileLayer(config.tileUrl, {
      attribution: config.attribution,
      maxZoom: 19,
      // The site sends no Referer elsewhere; tile servers (OpenStreetMap's) ask for one.
      referrerPolicy: "strict-origin-when-cross-origin"
    }).addTo(map);
    map.setView(config.center, config.zoom);
    return map;
  }

  function showList(section, map, config, data) {
    var summary = section.querySelector("[data-venue-map-summary]");
    var texts = config.texts || {};
    var points = (data && Array.isArray(data.venues)) ? data.venues : [];
    var count = points.length;
    var sentence;
    if (count === 0) {
      sentence = texts.none;
    } else {
      sentence = format(count === 1 ? texts.one : texts.many, { count: count });
      var missing = (config.total || 0) - count;
      if (missing > 0) {
        sentence += " " + format(missing === 1 ? texts.missing_one : texts.missing_many, {
          missing: missing, total: config.total
        });
      }
    }
    summary.textContent = sentence || "";
    if (count === 0) {
      // Nothing to show: the sentence says why; no empty map, nothing to skip.
      section.querySelector("[data-venue-map-canvas]").hidden = true;
      var skip = section.querySelector(".venue-map__skip");
      if (skip) { skip.hidden = true; }
      section.dataset.venueMapState = "empty";
      return;
    }

    var useClusters = count > (config.clusterFrom || 30) && typeof L.markerClusterGroup === "function";
    var layer = useClusters
      ? L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true })
      : L.featureGroup();
    var markers = points.map(function (point) { return makeMarker(point, true); });
    if (useClusters) { layer.addLayers(markers); } else { markers.forEach(function (m) { layer.addLayer(m); }); }
    layer.addTo(map);
    map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; })), {
      padding: [24, 24],
      maxZoom: 15
    });
    section.dataset.venueMapState = "ready";
  }

  function start() {
    var section = document.querySelector("[data-venue-map]");
    var config = readConfig();
    if (!section || !config || typeof window.L === "undefined") { return; }
    var canvas = section.querySelector("[data-venue-map-canvas]");
    section.hidden = false;
    var map = createMap(canvas, config);

    if (config.mode === "point" && config.point) {
      map.setView([config.point.lat, config.point.lon], config.zoom);
      makeMarker(config.point, false).addTo(map);
      section.dataset.venueMapState = "ready";
      return;
    }

    var summary = section.querySelector("[data-venue-map-summary]");
    summary.textContent = (config.texts || {}).loading || "";
    fetch(config.dataUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) { showList(section, map, config, data); })
      .catch(function () {
        summary.textContent = (config.texts || {}).error || "";
        canvas.hidden = true;
        section.dataset.venueMapState = "error";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
