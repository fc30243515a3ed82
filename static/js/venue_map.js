/* Maillage: the maps of the public directory (/annuaire/), drawn with Leaflet.
 *
 * The page carries its settings in <script id="venue-map-config" type="application/json">
 * (tile server and attribution from the Django settings, marker images, translated
 * texts) and a hidden <section data-venue-map>:
 *
 * - mode "list": fetches the points of every venue matching the page's filters from
 *   config.dataUrl ({count, venues: [{id, name, city, lat, lon, url}]}), groups markers
 *   closer than config.clusterRadius pixels with Leaflet.markercluster (venues of the
 *   same square never hide one another; at the last zoom they spread out), fits the map
 *   to them and says in words how many venues are on the map (its text alternative);
 * - mode "point": the venue page's single marker (config.point).
 *
 * Markers keep Leaflet's keyboard access (Tab reaches them, Enter opens the popup or
 * zooms into a group) and are named (the venue and its city; "5 lieux ici : zoomer pour
 * les voir" for a group); popups link to the venue's page; the zoom buttons are named
 * in the page's language. Every text from the data is set with textContent, never as
 * HTML. Without JavaScript, or when Leaflet did not load, the section stays hidden and
 * the page (the list, the address) is complete without it.
 *
 * The search form of the list page (no Leaflet needed): empty fields are left out of
 * the address on submit; on small screens the filters fold behind "Filtres (n)" and a
 * "Liste / Carte" switch shows one or the other; "Autour de moi" asks the browser's
 * position, fills the hidden lat/lon fields and submits; after a search (#resultats)
 * the results heading has the focus.
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

  function clusterIcon(controls) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : (count < 100 ? "medium" : "large");
      // Leaflet names the marker from this title (set on the icon after createIcon).
      cluster.options.title = format(count === 1 ? controls.clusterOne : controls.clusterMany, { count: count });
      cluster.options.keyboard = true;
      return L.divIcon({
        html: "<div><span aria-hidden=\"true\">" + count + "</span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(40, 40)
      });
    };
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
    var controls = config.controls || {};
    var map = L.map(canvas, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({
      zoomInTitle: controls.zoomIn || "Zoom in",
      zoomOutTitle: controls.zoomOut || "Zoom out"
    }).addTo(map);
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

    var useClusters = typeof L.markerClusterGroup === "function";
    var layer = useClusters
      ? L.markerClusterGroup({
        showCoverageOnHover: false,
        chunkedLoading: true,
        maxClusterRadius: config.clusterRadius || 40,
        spiderfyOnMaxZoom: true,
        iconCreateFunction: clusterIcon(config.controls || {})
      })
      : L.featureGroup();
    if (useClusters) {
      // Enter (or Space) on a group does what a click does: zoom in, or spread the markers
      // at the last zoom (markercluster handles clicks only).
      section.querySelector("[data-venue-map-canvas]").addEventListener("keydown", function (event) {
        var target = event.target;
        if ((event.key === "Enter" || event.key === " ") && target.classList && target.classList.contains("marker-cluster")) {
          event.preventDefault();
          target.click();
        }
      });
    }
    var markers = points.map(function (point) { return makeMarker(point, true); });
    if (useClusters) { layer.addLayers(markers); } else { markers.forEach(function (m) { layer.addLayer(m); }); }
    layer.addTo(map);
    var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
    // Not animated: the groups are computed once, at the final zoom, before the map says "ready".
    var fit = function () { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15, animate: false }); };
    fit();
    // The list/map switch shows a map that was drawn while hidden: measure it again.
    section.addEventListener("venue-map:shown", function () { map.invalidateSize(); fit(); });
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

  // --- The search form and the results (list page) -----------------------------------------

  var SMALL = "(max-width: 47.99rem)";

  function leaveOutEmptyFields(form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.disabled || field.type === "checkbox" || field.type === "radio") { return; }
        if (String(field.value || "").trim() === "") {
          field.disabled = true;
          field.dataset.emptyDisabled = "1";
        }
      });
    });
    // Back to the page (back/forward cache): the fields work again.
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[data-empty-disabled]").forEach(function (field) {
        field.disabled = false;
        delete field.dataset.emptyDisabled;
      });
    });
  }

  function foldFilters(form) {
    var toggle = form.querySelector("[data-filters-toggle]");
    if (!toggle) { return; }
    toggle.hidden = false;
    form.classList.add("venue-search--foldable");
    // Folded at first on a small screen; CSS shows the filters whatever the state on a wide one.
    toggle.setAttribute("aria-expanded", window.matchMedia(SMALL).matches ? "false" : "true");
    toggle.addEventListener("click", function () {
      toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
    });
  }

  function switchViews(directory) {
    var group = directory.querySelector("[data-view-switch]");
    if (!group) { return; }
    var buttons = group.querySelectorAll("[data-view]");
    var section = directory.querySelector("[data-venue-map]");
    group.hidden = false;
    directory.dataset.view = "list";
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var view = button.dataset.view;
        directory.dataset.view = view;
        Array.prototype.forEach.call(buttons, function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        if (view === "map" && section) {
          section.dispatchEvent(new CustomEvent("venue-map:shown"));
        }
      });
    });
  }

  function nearMe(form, texts) {
    var button = form.querySelector("[data-near-me]");
    var text = form.querySelector("[data-near-text]");
    var lat = form.querySelector("[data-near-lat]");
    var lon = form.querySelector("[data-near-lon]");
    var status = form.querySelector("[data-near-status]");
    if (!text || !lat || !lon) { return; }
    // A place typed in replaces the position found before.
    text.addEventListener("input", function () { lat.value = ""; lon.value = ""; });
    if (!button || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = texts.locating || "";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        // About 100 m: enough to sort by distance, no more precise than needed.
        lat.value = position.coords.latitude.toFixed(3);
        lon.value = position.coords.longitude.toFixed(3);
        text.value = "";
        button.disabled = false;
        if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
      }, function () {
        button.disabled = false;
        status.textContent = texts.locate_denied || "";
      }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
    });
  }

  function focusResults() {
    var heading = document.getElementById("resultats");
    if (!heading) { return; }
    // Pages of results also lead to the heading.
    document.querySelectorAll(".venue-results .pagination a[href]").forEach(function (link) {
      if (link.getAttribute("href").indexOf("#") === -1) { link.setAttribute("href", link.getAttribute("href") + "#resultats"); }
    });
    if (window.location.hash === "#resultats" && document.activeElement !== heading) {
      heading.focus();
    }
  }

  function startSearch() {
    var form = document.querySelector("[data-venue-search]");
    var directory = document.querySelector("[data-venue-directory]");
    if (!form || !directory) { return; }
    var config = readConfig() || {};
    leaveOutEmptyFields(form);
    foldFilters(form);
    switchViews(directory);
    nearMe(form, config.texts || {});
    focusResults();
  }

  function startAll() {
    startSearch();
    start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
