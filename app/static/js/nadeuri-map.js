/* Nadeuri map helpers: facility layers from compact rows, popups from text nodes (never HTML). */
(function () {
  "use strict";

  var maps = [];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // row = [lat, lon, id, name, distance, hoursToday, address]
  function popupContent(row, cfg) {
    var box = el("div", "nd-popup");
    var title = el("strong", "nd-popup-name");
    var link = el("a", null, row[3]);
    link.href = cfg.detailUrl + encodeURIComponent(row[2]);
    title.appendChild(link);
    box.appendChild(title);
    box.appendChild(el("div", "nd-popup-kind", cfg.label));
    var facts = [];
    if (row[4]) { facts.push("거리 " + row[4]); }
    if (row[5]) { facts.push("오늘 " + row[5]); }
    if (facts.length) { box.appendChild(el("div", "nd-popup-facts", facts.join(" · "))); }
    if (row[6]) { box.appendChild(el("div", "nd-popup-address", row[6])); }
    var more = el("a", "nd-popup-more", "자세히 보기");
    more.href = link.href;
    box.appendChild(more);
    return box;
  }

  function clusterIcon(cfg) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var badge = el("div", "nd-cluster", count);
      badge.style.backgroundColor = cfg.color;
      badge.setAttribute("aria-label", cfg.label + " " + count + "곳");
      var size = count < 10 ? 34 : count < 100 ? 40 : 46;
      return L.divIcon({ html: badge, className: "nd-cluster-icon", iconSize: L.point(size, size) });
    };
  }

  // The rows sit in <script type="application/json"> elements beside the map (never in code).
  function data(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function facilityLayer(payload) {
    var cfg = payload.config;
    var rows = payload.rows;
    var group = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      iconCreateFunction: clusterIcon(cfg)
    });
    var icon = L.icon({
      iconUrl: cfg.icon, iconSize: [30, 38], iconAnchor: [15, 37], popupAnchor: [0, -32],
      className: "nd-marker nd-marker-" + cfg.kind
    });
    var markers = new Array(rows.length);
    rows.forEach(function (row, i) {
      var marker = L.marker([row[0], row[1]], { icon: icon, title: row[3], alt: row[3] + " (" + cfg.label + ")" });
      marker.facilityId = row[2];
      marker.bindPopup(function () { return popupContent(row, cfg); });
      markers[i] = marker;
    });
    group.addLayers(markers);
    group.nadeuriKind = cfg.kind;
    return group;
  }

  // Open a facility's popup from outside the map (the result list's "지도에서 보기").
  function showFacility(id) {
    var found = false;
    maps.forEach(function (map) {
      map.eachLayer(function (layer) {
        if (found || !layer.getLayers || layer.nadeuriKind === undefined) { return; }
        layer.getLayers().forEach(function (marker) {
          if (!found && marker.facilityId === id) {
            found = true;
            layer.zoomToShowLayer(marker, function () { marker.openPopup(); });
            map.getContainer().scrollIntoView({ behavior: "smooth", block: "nearest" });
          }
        });
      });
    });
    return found;
  }

  window.NadeuriMap = {
    register: function (map) { maps.push(map); return map; },
    facilityLayer: facilityLayer,
    data: data,
    popupContent: popupContent,
    showFacility: showFacility,
    maps: maps
  };
})();
