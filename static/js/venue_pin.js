/* Maillage: the venue form's map with a draggable pin, and "Find the coordinates" inline.
 *
 * The form keeps the latitude and longitude fields (id_latitude, id_longitude): they are
 * the record. This script shows a Leaflet map (settings in <script id="venue-pin-config"
 * type="application/json">: tiles from MAP_TILE_URL, marker images, texts) with a pin at
 * those coordinates; dragging the pin or clicking on the map writes them (6 decimals),
 * typing them moves the pin. The "Find the coordinates" button (a submit button named
 * `locate`, which without JavaScript sends the form back filled) is sent here with
 * fetch and `Accept: application/json`: the answer fills the fields and moves the pin,
 * and its message goes to the status line (role="status"). Without JavaScript or when
 * Leaflet did not load, the map stays hidden and the fields and the button still work.
 */
(function () {
  "use strict";

  function readConfig() {
    var node = document.getElementById("venue-pin-config");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (err) { return null; }
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function number(input) {
    if (!input || !input.value) { return null; }
    var value = parseFloat(input.value.replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function start() {
    var config = readConfig();
    var form = document.querySelector("[data-venue-form]");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var status = document.querySelector("[data-locate-status]");
    if (!config || !form || !lat || !lon) { return; }
    var texts = config.texts || {};
    var marker = null;
    var map = null;

    function say(message, isError) {
      if (!status) { return; }
      status.textContent = message || "";
      status.classList.toggle("locate__status--error", Boolean(isError));
    }

    function write(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      [lat, lon].forEach(function (input) {
        input.dispatchEvent(new Event("input", {bubbles: true}));
      });
      say(format(texts.moved, {lat: lat.value, lon: lon.value}));
    }

    function place(latlng, zoom) {
      if (!map) { return; }
      if (!marker) {
        marker = window.L.marker(latlng, {draggable: true, autoPan: true, title: texts.pin, alt: texts.pin});
        marker.addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
      map.setView(latlng, zoom || Math.max(map.getZoom(), 16));
    }

    var box = document.querySelector("[data-venue-pin]");
    if (box && window.L) {
      box.hidden = false;
      var L = window.L;
      L.Icon.Default.imagePath = "";
      L.Icon.Default.mergeOptions(config.icons || {});
      map = L.map("venue-pin-map", {scrollWheelZoom: false});
      L.tileLayer(config.tileUrl, {attribution: config.attribution, maxZoom: 19}).addTo(map);
      var here = number(lat) !== null && number(lon) !== null ? [number(lat), number(lon)] : null;
      if (here) {
        place(here, 16);
      } else {
        map.setView(config.center, config.zoom);
      }
      map.on("click", function (event) {
        place(event.latlng);
        write(event.latlng);
      });
      [lat, lon].forEach(function (input) {
        input.addEventListener("change", function () {
          if (number(lat) !== null && number(lon) !== null) { place([number(lat), number(lon)]); }
        });
      });
      form.venuePin = {map: map, marker: function () { return marker; }};
    }

    var locate = form.querySelector("[data-locate-button]");
    if (locate && window.fetch && window.FormData) {
      locate.addEventListener("click", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        data.append("locate", "1");
        locate.disabled = true;
        say(texts.searching);
        fetch(form.action || window.location.href, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: {"Accept": "application/json"}
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (answer) {
          if (answer.found) {
            lat.value = answer.latitude;
            lon.value = answer.longitude;
            place([parseFloat(answer.latitude), parseFloat(answer.longitude)], 17);
          }
          say(answer.message, !answer.found);
        }).catch(function () {
          locate.disabled = false;
          form.requestSubmit ? form.requestSubmit(locate) : form.submit();
        }).then(function () { locate.disabled = false; });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
