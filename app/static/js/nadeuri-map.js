/* Nadeuri map helpers: layers from JSON data elements, popups and tooltips from text nodes (never HTML). */
(function () {
  "use strict";

  var maps = [];
  var bookableLayers = [];
  var STREET_ZOOM = 17;

  // Leaflet names its buttons in English ("Zoom in", "Layers", "Close popup"); on a Korean page a screen reader
  // would read them with Korean rules and a voice-control user could not say them. Renamed once, before any map.
  L.Control.Zoom.mergeOptions({ zoomInTitle: "지도 확대", zoomOutTitle: "지도 축소" });
  var layersLayout = L.Control.Layers.prototype._initLayout;
  L.Control.Layers.include({
    _initLayout: function () {
      layersLayout.call(this);
      this._layersLink.title = "지도에 표시할 항목";
    }
  });
  var popupLayout = L.Popup.prototype._initLayout;
  L.Popup.include({
    _initLayout: function () {
      popupLayout.call(this);
      if (this._closeButton) { this._closeButton.setAttribute("aria-label", "닫기"); }
    }
  });

  // Two-finger pan (leaflet-gesture-handling) where the map sits in a page that one finger scrolls:
  // phones and the one-column layout. On a wide screen the map stands beside the list and pans freely.
  function wantsGestureHandling() {
    return Boolean(window.leafletGestureHandling) && (L.Browser.mobile || window.matchMedia("(max-width: 63.99rem)").matches);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function link(text, href, className, external) {
    var a = el("a", className, text);
    a.href = href;
    if (external) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }

  // A phone number as a tel: link target (digits, + and - only), or null.
  function telHref(phone) {
    var digits = String(phone || "").replace(/[^0-9+-]/g, "");
    return digits.replace(/[^0-9]/g, "").length >= 7 ? "tel:" + digits : null;
  }

  // 길찾기 links by name and coordinates (the prefixes come from the server: app/maps/format.py).
  function routeLinks(routes, name, lat, lon) {
    var kakao = routes.kakao + encodeURIComponent(String(name).replace(/,/g, " ")) + "," + lat + "," + lon;
    var naver = routes.naver + "elat=" + lat + "&elng=" + lon + "&etext=" + encodeURIComponent(name);
    return [["카카오 길찾기", kakao], ["네이버 길찾기", naver]];
  }

  // row = [lat, lon, id, name, distance, hoursToday, address, phone, nextSession, ages, fee]
  function popupContent(row, cfg) {
    var box = el("div", "nd-popup");
    var detail = cfg.detailUrl + encodeURIComponent(row[2]);
    var title = el("strong", "nd-popup-name");
    title.appendChild(link(row[3], detail));
    box.appendChild(title);
    box.appendChild(el("div", "nd-popup-kind", cfg.label));
    var facts = [];
    if (row[4]) { facts.push("거리 " + row[4]); }
    if (row[5]) { facts.push("오늘 " + row[5]); }
    if (facts.length) { box.appendChild(el("div", "nd-popup-facts", facts.join(" · "))); }
    if (row[8]) {
      box.appendChild(el("div", "nd-popup-session" + (/마감$/.test(row[8]) ? " is-full" : ""), row[8]));
    }
    var terms = [];
    if (row[9]) { terms.push("이용 " + row[9]); }
    if (row[10]) { terms.push(row[10]); }
    if (terms.length) { box.appendChild(el("div", "nd-popup-terms", terms.join(" · "))); }
    if (row[6]) { box.appendChild(el("div", "nd-popup-address", row[6])); }
    var actions = el("div", "nd-popup-actions");
    if (cfg.bookable) { actions.appendChild(link("예약", detail + "#slots", "nd-action nd-action-book")); }
    var tel = telHref(row[7]);
    if (tel) { actions.appendChild(link("전화", tel, "nd-action nd-action-tel")); }
    routeLinks(cfg.routes, row[3], row[0], row[1]).forEach(function (r) {
      actions.appendChild(link(r[0], r[1], "nd-action nd-action-route", true));
    });
    box.appendChild(actions);
    box.appendChild(link("자세히 보기", detail, "nd-popup-more"));
    return box;
  }

  function clusterIcon(cfg) {
    return function (cluster) {
      var count = cluster.getChildCount();
      // The focusable marker's name comes from this text (an aria-label on the inner div would be ignored):
      // what it shows, the count, inside hidden words that say what is counted and what a press does.
      var badge = el("div", "nd-cluster");
      badge.appendChild(el("span", "visually-hidden", cfg.label + " "));
      badge.appendChild(document.createTextNode(String(count)));
      badge.appendChild(el("span", "visually-hidden", "곳, 누르면 확대"));
      badge.style.backgroundColor = cfg.color;
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
      marker.nadeuriRow = row;  // live-places.js rewrites the next session in it (row[8])
      marker.bindPopup(function () { return popupContent(row, cfg); });
      markers[i] = marker;
    });
    group.addLayers(markers);
    group.nadeuriKind = cfg.kind;
    if (cfg.bookable) { bookableLayers.push(group); }
    return group;
  }

  // The markers of bookable kinds, shown or not (a layer switched off comes back up to date), for live-places.js.
  function bookableMarkers() {
    var found = [];
    bookableLayers.forEach(function (layer) { found = found.concat(layer.getLayers()); });
    return found;
  }

  // A marker's next-session text: kept in its row (a popup is built from the row each time it opens) and, when
  // its popup is open, put in the popup as text.
  function setSession(marker, text, full) {
    marker.nadeuriRow[8] = text;
    var popup = marker.getPopup();
    var element = popup && popup.isOpen() ? popup.getElement() : null;
    var line = element ? element.querySelector(".nd-popup-session") : null;
    if (line) {
      line.textContent = text;
      line.classList.toggle("is-full", full);
    }
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
            document.dispatchEvent(new CustomEvent("nadeuri:show-map"));
            map.invalidateSize();
            // Street level (not the cluster's deepest zoom): the facility with its streets around it.
            map.setView(marker.getLatLng(), STREET_ZOOM, { animate: false });
            layer.zoomToShowLayer(marker, function () { marker.openPopup(); });
            map.getContainer().scrollIntoView({ behavior: "smooth", block: "nearest" });
          }
        });
      });
    });
    return found;
  }

  // District outlines: geometry only (no names), drawn under everything and not clickable.
  function outlines(payload) {
    return L.geoJSON(payload.geojson, { style: function () { return payload.style; }, interactive: false });
  }

  // Tooltip lines as a DOM node: the first line bold, every line a text node (never HTML).
  function tipContent(lines) {
    var box = el("div", "nd-tip");
    lines.forEach(function (line, i) {
      box.appendChild(el(i === 0 ? "strong" : "div", null, line));
    });
    return box;
  }

  // A district's name on the map: a permanent tooltip whose text is a text node, on a clear background with a halo.
  function districtLabel(f) {
    var text = el("span", null, f.properties.name);
    var dark = f.properties.dark;
    text.style.cssText = "font:600 12px/1.2 sans-serif;color:" + (dark ? "#fff" : "#111") + ";text-shadow:"
      + (dark ? "0 0 3px #08306b,0 0 3px #08306b" : "0 0 3px #fff,0 0 3px #fff,0 0 2px #fff");
    var tip = L.tooltip({ permanent: true, direction: "center", interactive: false, className: "nd-district-label" })
      .setLatLng(f.properties.label).setContent(text);
    tip.on("add", function () {
      var box = tip.getElement();
      box.style.background = "transparent";
      box.style.border = "0";
      box.style.boxShadow = "none";
      box.style.padding = "0";
    });
    return tip;
  }

  function coverageDistricts(data) {
    var shapes = L.geoJSON(data, {
      style: function (f) {
        return { fillColor: f.properties.color, fillOpacity: 0.85, color: "#4d4d4d", weight: 1 };
      },
      onEachFeature: function (f, shape) {
        shape.bindTooltip(function () { return tipContent(f.properties.tip); }, { sticky: true });
        shape.on("mouseover", function () { shape.setStyle({ weight: 3, color: "#000" }); });
        shape.on("mouseout", function () { shapes.resetStyle(shape); });
      }
    });
    var labels = data.features.filter(function (f) { return f.properties.label; }).map(districtLabel);
    return L.layerGroup([shapes].concat(labels));
  }

  function coverageArea(data) {
    return L.geoJSON(data.geometry, { style: function () { return data.style; }, interactive: false });
  }

  function coverageGaps(data) {
    return L.featureGroup(data.points.map(function (p) {
      return L.circleMarker([p.lat, p.lon], {
        radius: 7, color: "#fff", weight: 2.5, fill: true, fillColor: p.color, fillOpacity: 1
      }).bindTooltip(function () { return tipContent(p.tip); });
    }));
  }

  // A legend control: a title and (colour, label) rows, all text through textContent.
  function legend(data) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", "nd-coverage-legend");
      box.setAttribute("role", "note");
      box.style.cssText = "background:#fff;padding:6px 8px;border-radius:4px;font:12px/1.5 sans-serif;"
        + "box-shadow:0 1px 4px rgba(0,0,0,.3);color:#222";
      box.appendChild(el("strong", null, data.title));
      data.rows.forEach(function (row) {
        var line = el("div");
        var swatch = el("span");
        swatch.style.cssText = "display:inline-block;width:14px;height:12px;margin-right:6px;"
          + "vertical-align:middle;border:1px solid #999";
        swatch.style.background = row[0];
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(row[1]));
        box.appendChild(line);
      });
      return box;
    };
    return control;
  }

  window.NadeuriMap = {
    register: function (map) { maps.push(map); return map; },
    wantsGestureHandling: wantsGestureHandling,
    telHref: telHref,
    routeLinks: routeLinks,
    facilityLayer: facilityLayer,
    data: data,
    popupContent: popupContent,
    bookableMarkers: bookableMarkers,
    setSession: setSession,
    showFacility: showFacility,
    outlines: outlines,
    coverageDistricts: coverageDistricts,
    coverageArea: coverageArea,
    coverageGaps: coverageGaps,
    legend: legend,
    maps: maps
  };
})();
