/* Nadeuri map helpers: layers from JSON data elements, popups and tooltips from text nodes (never HTML). */
(function () {
  "use strict";

  var maps = [];
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

  // A popup's facts from the facility's card (GET /facilities/<id>/card, see app/finder/cards.py): every text
  // through textContent. A card not yet loaded shows the marker's name and kind while it loads.
  function popupContent(card, cfg) {
    var box = el("div", "nd-popup");
    fillPopup(box, card, cfg);
    return box;
  }

  function popupHead(box, name, id, cfg) {
    var title = el("strong", "nd-popup-name");
    title.appendChild(link(name, cfg.detailUrl + encodeURIComponent(id)));
    box.appendChild(title);
    box.appendChild(el("div", "nd-popup-kind", cfg.label));
  }

  function fillPopup(box, card, cfg) {
    var detail = cfg.detailUrl + encodeURIComponent(card.id);
    box.textContent = "";
    popupHead(box, card.name, card.id, cfg);
    var facts = [];
    if (card.distance) { facts.push("거리 " + card.distance); }
    if (card.hours_today) { facts.push("오늘 " + card.hours_today); }
    if (facts.length) { box.appendChild(el("div", "nd-popup-facts", facts.join(" · "))); }
    if (card.session) {
      box.appendChild(el("div", "nd-popup-session" + (card.full ? " is-full" : card.lottery ? " is-lottery" : ""),
        card.session));
    }
    var terms = [];
    if (card.ages) { terms.push("이용 " + card.ages); }
    if (card.fee) { terms.push(card.fee); }
    if (terms.length) { box.appendChild(el("div", "nd-popup-terms", terms.join(" · "))); }
    if (card.address) { box.appendChild(el("div", "nd-popup-address", card.address)); }
    var actions = el("div", "nd-popup-actions");
    if (cfg.bookable) { actions.appendChild(link("예약", detail + "#slots", "nd-action nd-action-book")); }
    var tel = telHref(card.phone);
    if (tel) { actions.appendChild(link("전화", tel, "nd-action nd-action-tel")); }
    if (card.lat !== null && card.lat !== undefined) {
      routeLinks(cfg.routes, card.name, card.lat, card.lon).forEach(function (r) {
        actions.appendChild(link(r[0], r[1], "nd-action nd-action-route", true));
      });
    }
    box.appendChild(actions);
    box.appendChild(link("자세히 보기", detail, "nd-popup-more"));
  }

  var cards = {};  // facility id → its card, once loaded (live-places.js keeps the session in it fresh)
  var markerById = {};

  function cardUrl(cfg, id) {
    var url = cfg.detailUrl + encodeURIComponent(id) + "/card";
    return cfg.center ? url + "?lat=" + cfg.center[0] + "&lon=" + cfg.center[1] : url;
  }

  function loadCard(cfg, id) {
    if (cards[id]) { return Promise.resolve(cards[id]); }
    return fetch(cardUrl(cfg, id), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("card " + r.status); } return r.json(); })
      .then(function (card) { cards[id] = card; return card; });
  }

  // Popups are made when first opened (a click, Enter on a focused marker, or showFacility), not per marker
  // up front: 5,000 L.Popup objects would cost the page its first second.
  function ensurePopup(marker) {
    if (marker.getPopup()) { return; }
    var cfg = marker.nadeuriConfig;
    var id = marker.facilityId;
    marker.bindPopup(function () {
      if (cards[id]) { return popupContent(cards[id], cfg); }
      var box = el("div", "nd-popup");
      popupHead(box, marker.options.title, id, cfg);
      var status = el("div", "nd-popup-loading", "불러오는 중…");
      status.setAttribute("role", "status");
      box.appendChild(status);
      loadCard(cfg, id).then(function (card) {
        fillPopup(box, card, cfg);
        if (marker.isPopupOpen()) { marker.getPopup().update(); }
      }, function () {
        status.textContent = "정보를 불러오지 못했습니다. ";
        status.appendChild(link("자세히 보기", cfg.detailUrl + encodeURIComponent(id), "nd-popup-more"));
      });
      return box;
    });
  }

  // Little-endian int32 values from base64 (app/maps/builder.py encode_points).
  function int32s(text) {
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    var view = new DataView(bytes.buffer), out = new Array(raw.length >> 2);
    for (var j = 0; j < out.length; j++) { out[j] = view.getInt32(j * 4, true); }
    return out;
  }

  // The page's markers as columns (app/maps/builder.py encode_points): [id, lat, lon, short name] each.
  function decodePoints(cols) {
    var n = cols.id.length, out = new Array(n), id = 0, scale = cols.scale;
    var lats = n ? int32s(cols.lat) : [], lons = n ? int32s(cols.lon) : [];
    var names = n ? cols.name.split("\n") : [];
    for (var i = 0; i < n; i++) {
      id += cols.id[i];
      out[i] = [id, lats[i] / scale, lons[i] / scale, names[i]];
    }
    return out;
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

  // The data sits in <script type="application/json"> elements beside the map (never in code).
  function data(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  // Work that can wait until the markers are on the map (the district outlines): run once every facility layer
  // being added has placed its markers and the browser has drawn them, so it never stands between a page and its
  // markers. (The outlines usually arrive while the markers are being placed, and their callback runs right after.)
  var placing = 0, drawing = false, afterPlaced = [];

  function whenMarkersPlaced(fn) {
    if (placing || drawing) { afterPlaced.push(fn); } else { fn(); }
  }

  function markersPlaced() {
    placing = Math.max(0, placing - 1);
    if (placing) { return; }
    // markercluster puts the markers on the map just after its last progress report, and a timer alone may run
    // before the next frame: a frame first, then a task after it.
    drawing = true;
    requestAnimationFrame(function () {
      setTimeout(function () {
        drawing = false;
        var waiting = afterPlaced;
        afterPlaced = [];
        waiting.forEach(function (fn) { fn(); });
      }, 0);
    });
  }

  // leaflet.markercluster finds each marker's neighbours, at every zoom level, in an L.DistanceGrid: cells of
  // maxClusterRadius pixels kept in plain objects keyed by cell numbers in the millions (at zoom 19), which V8 keeps
  // as slow dictionaries, and each object's point in another one keyed by its Leaflet id. Placing 5,000 markers
  // spends half its time there. This grid keeps the same cells in Maps: the same objects in each cell in the same
  // order, the same nearest-object rule (strictly nearer wins; the first found within the radius otherwise), so
  // the clusters come out exactly the same (tests/browser/test_map_clusters.py builds both and compares).
  function DistanceGrid(cellSize) {
    this._cellSize = cellSize;
    this._sqCellSize = cellSize * cellSize;
    this._rows = new Map();  // cell row → (cell column → objects)
    this._points = new Map();  // object → the point it was added at
  }

  DistanceGrid.prototype = {
    addObject: function (obj, point) {
      var x = this._getCoord(point.x), y = this._getCoord(point.y);
      var row = this._rows.get(y);
      if (!row) { row = new Map(); this._rows.set(y, row); }
      var cell = row.get(x);
      if (!cell) { cell = []; row.set(x, cell); }
      L.Util.stamp(obj);  // as the library's grid does: some code reads the id it gives
      this._points.set(obj, point);
      cell.push(obj);
    },

    updateObject: function (obj, point) {
      this.removeObject(obj);
      this.addObject(obj, point);
    },

    // True when the object was in the cell of `point`.
    removeObject: function (obj, point) {
      var x = this._getCoord(point.x), y = this._getCoord(point.y);
      var row = this._rows.get(y), cell = row && row.get(x);
      this._points.delete(obj);
      if (!cell) { return false; }
      for (var i = 0, len = cell.length; i < len; i++) {
        if (cell[i] === obj) {
          cell.splice(i, 1);
          if (len === 1) { row.delete(x); }
          return true;
        }
      }
      return false;
    },

    // Rows and cells in the order the library's grid visits them (a for…in over integer keys: ascending).
    eachObject: function (fn, context) {
      var rows = this._rows;
      sortedKeys(rows).forEach(function (y) {
        var row = rows.get(y);
        sortedKeys(row).forEach(function (x) {
          var cell = row.get(x);
          for (var k = 0, len = cell.length; k < len; k++) {
            if (fn.call(context, cell[k])) { k--; len--; }
          }
        });
      });
    },

    getNearObject: function (point) {
      var x = this._getCoord(point.x), y = this._getCoord(point.y), points = this._points,
        px = point.x, py = point.y, closestDistSq = this._sqCellSize, closest = null;
      for (var i = y - 1; i <= y + 1; i++) {
        var row = this._rows.get(i);
        if (!row) { continue; }
        for (var j = x - 1; j <= x + 1; j++) {
          var cell = row.get(j);
          if (!cell) { continue; }
          for (var k = 0, len = cell.length; k < len; k++) {
            var obj = cell[k], at = points.get(obj), dx = px - at.x, dy = py - at.y, dist = dx * dx + dy * dy;
            if (dist < closestDistSq || (dist <= closestDistSq && closest === null)) {
              closestDistSq = dist;
              closest = obj;
            }
          }
        }
      }
      return closest;
    },

    _getCoord: function (x) {
      var coord = Math.floor(x / this._cellSize);
      return isFinite(coord) ? coord : x;
    },

    _sqDist: function (p, p2) {
      var dx = p2.x - p.x, dy = p2.y - p.y;
      return dx * dx + dy * dy;
    }
  };

  function sortedKeys(map) {
    return Array.from(map.keys()).sort(function (a, b) { return a - b; });
  }

  // markercluster makes its grids with `new L.DistanceGrid` when a group is put on a map (it loads after this
  // file, so the swap happens then). The library's own grid stays reachable for the comparison test.
  var libraryGrid = null;

  function useOwnGrid() {
    if (L.DistanceGrid && L.DistanceGrid !== DistanceGrid) {
      libraryGrid = L.DistanceGrid;
      L.DistanceGrid = DistanceGrid;
    }
  }

  // The clustered layer of one kind. Given a map, the group is put on it before its markers are added: markercluster
  // checks each marker added to a group not yet on a map against every one queued before it (5,000 markers: 12.5
  // million comparisons, 30-40 ms), while a group on a map clusters them straight away.
  function facilityLayer(payload, map) {
    var cfg = payload.config;
    var placed = false;
    useOwnGrid();
    var group = L.markerClusterGroup({
      // In one go where the machine manages within 0.4 s (every 5,000-marker page on a desktop): each pause of
      // the default 0.2 s chunks delayed the markers; a slow phone still gets its page back between chunks.
      // Between chunks, only a turn for the browser (input, a frame), no idle wait: the markers appear when the
      // last chunk is done, so the library's 50 ms pause would only delay them.
      chunkedLoading: true,
      chunkInterval: 400,
      chunkDelay: 1,
      chunkProgress: function (done, total) {
        if (done >= total && !placed && group.nadeuriPlacing) { placed = true; markersPlaced(); }
      },
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      iconCreateFunction: clusterIcon(cfg)
    });
    var icon = L.icon({
      iconUrl: cfg.icon, iconSize: [30, 38], iconAnchor: [15, 37], popupAnchor: [0, -32],
      className: "nd-marker nd-marker-" + cfg.kind
    });
    var markers = decodePoints(payload.points).map(function (p) {
      var marker = L.marker([p[1], p[2]], { icon: icon, title: p[3], alt: p[3] + " (" + cfg.label + ")" });
      marker.facilityId = p[0];
      marker.nadeuriConfig = cfg;
      markerById[p[0]] = marker;
      return marker;
    });
    // A marker's click (or Enter) reaches its group first only through this handler: bind, then open.
    group.on("click", function (e) {
      var marker = e.layer;
      if (marker && marker.facilityId !== undefined && !marker.getPopup()) {
        ensurePopup(marker);
        marker.openPopup();
      }
    });
    group.nadeuriKind = cfg.kind;
    group.nadeuriBookable = cfg.bookable;
    if (map) {
      placing++;
      group.nadeuriPlacing = true;
      group.addTo(map);
    }
    group.addLayers(markers);
    return group;
  }

  // A layer's name in the layer switch: Leaflet sets it as HTML, so it is made from nodes and text here.
  function layerName(cfg, count) {
    var box = el("span");
    var img = el("img");
    img.src = cfg.icon; img.alt = ""; img.width = 16; img.height = 20;
    box.appendChild(img);
    box.appendChild(document.createTextNode(" " + cfg.label + " (" + count + ")"));
    return box.innerHTML;
  }

  // The map's data layer (app/maps/builder.py FacilityLayers): the search area, a clustered layer per kind,
  // the view and the layer switch.
  function facilityLayers(map, payload) {
    Object.keys(payload.cards || {}).forEach(function (id) { cards[id] = payload.cards[id]; });
    var area = payload.area;
    if (area) {
      L.circle(area.center, L.extend({ radius: area.radius, interactive: false }, area.area)).addTo(map);
      L.circleMarker(area.center, area.point).bindTooltip(el("span", null, area.label)).addTo(map);
    }
    if (payload.bounds) { map.fitBounds(payload.bounds, { animate: false }); }  // before the markers: no re-clustering
    var overlays = {};
    payload.layers.forEach(function (layer) {
      var group = facilityLayer(layer, map);
      overlays[layerName(layer.config, layer.points.id.length)] = group;
    });
    if (payload.control) { L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map); }
    return overlays;
  }

  // The markers of bookable kinds whose card has been loaded (their popups were opened), for live-places.js:
  // a popup opened later loads a fresh card anyway.
  function bookableMarkers() {
    return Object.keys(cards).map(function (id) { return markerById[id]; }).filter(function (marker) {
      return marker && marker.nadeuriConfig.bookable;
    });
  }

  // A marker's next-session text: kept in its card (a popup is built from the card each time it opens) and,
  // when its popup is open, put in the popup as text.
  function setSession(marker, text, full) {
    var card = cards[marker.facilityId];
    if (card) { card.session = text; card.full = full; }
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
    var marker = markerById[id];
    if (!marker) { return false; }
    var found = false;
    maps.forEach(function (map) {
      map.eachLayer(function (layer) {
        if (found || !layer.hasLayer || layer.nadeuriKind === undefined || !layer.hasLayer(marker)) { return; }
        found = true;
        document.dispatchEvent(new CustomEvent("nadeuri:show-map"));
        map.invalidateSize();
        // Street level (not the cluster's deepest zoom): the facility with its streets around it.
        map.setView(marker.getLatLng(), STREET_ZOOM, { animate: false });
        ensurePopup(marker);
        layer.zoomToShowLayer(marker, function () { marker.openPopup(); });
        map.getContainer().scrollIntoView({ behavior: "smooth", block: "nearest" });
      });
    });
    return found;
  }

  // District outlines: geometry only (no names), drawn under everything and not clickable.
  // Fetched from the app (the same for every page, so the browser keeps them); added under the markers.
  function outlines(url, style) {
    var layer = L.geoJSON(null, { style: function () { return style; }, interactive: false });
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("outlines " + r.status); } return r.json(); })
      .then(function (geojson) {
        whenMarkersPlaced(function () { layer.addData(geojson); layer.bringToBack(); });
      })
      .catch(function () { /* a map without outlines still shows every facility */ });
    return layer;
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
    distanceGrids: function () { return { own: DistanceGrid, library: libraryGrid }; },
    facilityLayers: facilityLayers,
    data: data,
    popupContent: popupContent,
    decodePoints: decodePoints,
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
