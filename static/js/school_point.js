// A small map with one school's marker (the school detail page). No inline script: CSP.
(function () {
  "use strict";
  var el = document.getElementById("school-point");
  if (!el || typeof L === "undefined") return;
  var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
  var map = L.map(el, { scrollWheelZoom: false }).setView(point, 15);
  if (el.dataset.tileUrl) {
    // Same-origin Referrer-Policy on the page: the tiles send the origin (tile servers ask it).
    L.tileLayer(el.dataset.tileUrl, {
      attribution: el.dataset.tileAttribution, maxZoom: 19, referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
  }
  L.circleMarker(point, { radius: 9, color: "#0d6efd", weight: 2, fillOpacity: 0.6 }).addTo(map);
})();
