// The school map page (templates/schools/school_map.html). No inline script: CSP.
// Everything it needs comes from data-attributes of #school-map: the GeoJSON URL (with the
// page's filters), the tile URL and attribution (empty: no tiles, markers on a plain
// background), Kota Metro's centre and box, and the translated labels.
(function () {
  "use strict";
  var el = document.getElementById("school-map");
  if (!el || typeof L === "undefined") return;
  var data = el.dataset;
  var status = document.getElementById("map-status");

  // The same colours as the priority badges (static/css/peksos.css).
  var COLOURS = { tinggi: "#b02a37", sedang: "#fd7e14", rendah: "#198754", unknown: "#6c757d" };

  function numbers(text) {
    return text.split(",").map(parseFloat);
  }
  function say(text) {
    if (status) status.textContent = text;
  }

  var centre = numbers(data.centre);
  var box = numbers(data.bounds); // south, west, north, east
  var metro = L.latLngBounds([box[0], box[1]], [box[2], box[3]]);
  var map = L.map(el, { scrollWheelZoom: false }).setView(centre, 13);
  if (data.tileUrl) {
    // The page's Referrer-Policy is same-origin; tile servers (OpenStreetMap's policy) want to
    // know the site that asks, so the tiles send the origin, never the page's path.
    L.tileLayer(data.tileUrl, {
      attribution: data.tileAttribution, maxZoom: 19, referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
  }
  // The area where coordinates are accepted: an outline that also orients when there are no tiles.
  L.rectangle(metro, {
    color: "#0d6efd", weight: 1, dashArray: "4 4", fill: false, interactive: false,
  }).addTo(map);

  // --- Popups: built from DOM nodes, never HTML strings (school names come from imports).
  function node(tag, text, className) {
    var n = document.createElement(tag);
    if (text) n.textContent = text;
    if (className) n.className = className;
    return n;
  }

  function popup(props) {
    var box = node("div");
    box.appendChild(node("p", props.name, "fw-semibold"));
    box.appendChild(node("p", "NPSN " + props.npsn + (props.kecamatan ? " · " + props.kecamatan : "")));
    box.appendChild(node("p", data.labelLevel + ": " + props.level));
    var band = props.band_label.charAt(0).toUpperCase() + props.band_label.slice(1);
    var score = props.score === null ? "" : " · " + props.score;
    box.appendChild(node("p", data.labelPriority + ": " + band + score));
    var link = node("a", data.labelView);
    link.href = props.url;
    var p = node("p");
    p.appendChild(link);
    box.appendChild(p);
    return box;
  }

  // The kecamatan: a label at the middle of each one's schools (no boundaries are published in
  // the repository). Not interactive: clicks go through to the map (picking a point). An answer
  // cut short has none (a view that wide has too many for labels to help): the layer empties.
  var labels = L.layerGroup().addTo(map);
  function drawKecamatan(centres) {
    labels.clearLayers();
    (centres || []).forEach(function (k) {
      var label = node("span", k.name);
      L.marker([k.latitude, k.longitude], {
        icon: L.divIcon({ className: "kecamatan-label", html: label, iconSize: [0, 0] }),
        interactive: false,
        keyboard: false,
      }).addTo(labels);
    });
  }

  // --- The schools: the data URL answers at most a few hundred schools, the first by priority,
  // inside a box if asked (schools/views/map.py). The first request asks for all of them: when
  // they all come (Kota Metro, or a filter), the map is as before and never asks again. When the
  // answer is cut short, a notice says "zoom in", and each move asks for the view's box.
  var schools = null; // the markers shown
  var loaded = null; // { box (null: everywhere), truncated } of the answer shown
  var asked = 0; // the number of the latest request: older answers are dropped
  var askedBox = null; // its bbox parameter
  var fitted = false; // the first answer fits the view to the schools, as before
  var popupOpen = false;
  var notice = document.getElementById("map-notice");

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }
  function bboxOf(bounds) {
    return [
      clamp(bounds.getWest(), -180, 180).toFixed(6),
      clamp(bounds.getSouth(), -90, 90).toFixed(6),
      clamp(bounds.getEast(), -180, 180).toFixed(6),
      clamp(bounds.getNorth(), -90, 90).toFixed(6),
    ].join(",");
  }
  function withBbox(url, bounds) {
    if (!bounds) return url;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bboxOf(bounds);
  }

  function drawSchools(geojson, bounds) {
    drawKecamatan(geojson.kecamatan);
    if (schools) map.removeLayer(schools);
    schools = L.geoJSON(geojson, {
      pointToLayer: function (feature, latlng) {
        var colour = COLOURS[feature.properties.band] || COLOURS.unknown;
        return L.circleMarker(latlng, {
          radius: 7, color: "#212529", weight: 1, fillColor: colour, fillOpacity: 0.9,
        });
      },
      onEachFeature: function (feature, marker) {
        marker.bindPopup(function () { return popup(feature.properties); });
        marker.bindTooltip(feature.properties.name);
      },
    }).addTo(map);
    loaded = { box: bounds, truncated: !!geojson.truncated };
    if (notice) notice.hidden = !geojson.truncated;
    if (fitted) return;
    fitted = true;
    if (geojson.truncated) refresh(); // then the view's own box (unless a move does it first)
    if (pin) return; // a school's point is being chosen: keep it in view
    if (data.focus) {
      map.setView(numbers(data.focus), 15); // the place page: the school's kecamatan
    } else if (geojson.features.length) {
      map.fitBounds(schools.getBounds(), { padding: [24, 24], maxZoom: 16 });
    } else {
      say(data.labelEmpty);
    }
  }

  function load(bounds) {
    var mine = ++asked;
    askedBox = bounds && bboxOf(bounds);
    fetch(withBbox(data.url, bounds), {
      credentials: "same-origin", headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (geojson) {
        if (mine === asked) drawSchools(geojson, bounds);
      })
      .catch(function () { say(data.labelError); });
  }

  load(null);

  // After a move (debounced): the view's box, unless the schools shown already cover it.
  var moved = null;
  function refresh() {
    clearTimeout(moved);
    moved = setTimeout(function () {
      var view = map.getBounds();
      if (!loaded || popupOpen) return; // the first answer is on its way; a popup's pan
      if (!loaded.truncated && (!loaded.box || loaded.box.contains(view))) return;
      if (bboxOf(view) === askedBox) return; // already asked
      load(view);
    }, 300);
  }
  map.on("popupopen", function () { popupOpen = true; });
  map.on("popupclose", function () { popupOpen = false; });
  map.on("moveend", refresh);

  // --- Picking a school's position: "Pick on map", then a click fills its form.
  var active = null; // the coordinates form being filled
  var pin = null; // the point chosen for it

  function inputs(form) {
    return {
      lat: form.querySelector("input[name=latitude]"),
      lng: form.querySelector("input[name=longitude]"),
    };
  }

  function showPin(latlng) {
    if (!pin) {
      pin = L.circleMarker(latlng, {
        radius: 9, color: "#0d6efd", weight: 3, fillColor: "#ffffff", fillOpacity: 0.6,
        interactive: false,
      }).addTo(map);
    } else {
      pin.setLatLng(latlng);
    }
  }

  function activate(form) {
    if (active) active.classList.remove("is-active");
    active = form;
    form.classList.add("is-active");
    el.classList.add("is-picking");
    say(data.labelPick + " " + form.dataset.schoolName);
    var typed = inputs(form);
    var lat = parseFloat(typed.lat.value.replace(",", "."));
    var lng = parseFloat(typed.lng.value.replace(",", "."));
    if (!isNaN(lat) && !isNaN(lng)) {
      var point = L.latLng(lat, lng);
      showPin(point);
      if (metro.contains(point)) {
        map.setView(point, Math.max(map.getZoom(), 15));
      } else {
        map.fitBounds(L.latLngBounds(metro.getSouthWest(), metro.getNorthEast()).extend(point));
      }
    } else if (pin) {
      map.removeLayer(pin);
      pin = null;
    }
    // On a phone the list is below the map: bring the map back into view.
    if (el.getBoundingClientRect().top < 0) el.scrollIntoView({ behavior: "smooth" });
  }

  map.on("click", function (event) {
    if (!active) return;
    var latlng = event.latlng;
    var typed = inputs(active);
    typed.lat.value = latlng.lat.toFixed(7);
    typed.lng.value = latlng.lng.toFixed(7);
    showPin(latlng);
    say(metro.contains(latlng) ? data.labelPicked : data.labelOutside);
  });

  document.querySelectorAll("form.coordinates-form").forEach(function (form) {
    var button = form.querySelector(".pick-on-map");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { activate(form); });
    }
    // Typing moves the pin too, when this form is the one being filled.
    form.addEventListener("input", function () {
      if (active !== form) return;
      var typed = inputs(form);
      var lat = parseFloat(typed.lat.value.replace(",", "."));
      var lng = parseFloat(typed.lng.value.replace(",", "."));
      if (!isNaN(lat) && !isNaN(lng)) showPin([lat, lng]);
    });
  });

  // A form shown with errors (or opened to correct a school) is ready to pick at once.
  var focused = document.querySelector(
    "section.card form.coordinates-form, form.coordinates-form[data-pick-now]"
  );
  if (focused) {
    activate(focused);
    // On a phone the form (and its errors) sits below the map: show it.
    if (focused.getBoundingClientRect().top > window.innerHeight) {
      focused.scrollIntoView({ block: "center" });
    }
  }
})();
