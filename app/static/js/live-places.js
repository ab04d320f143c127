/* Live places (#12): the next-session text of the result cards and the map popups of bookable kinds, refreshed
   from /api/availability while the tab is visible (every data-availability-interval ms). Text goes in via
   textContent; without this file the page shows the places as they were when it was built. */
(function () {
  "use strict";
  var root = document.querySelector("[data-availability-url]");
  if (!root || !window.fetch) { return; }
  var url = root.dataset.availabilityUrl;
  var every = Number(root.dataset.availabilityInterval) || 30000;
  var batch = Number(root.dataset.availabilityMax) || 200;
  var none = root.dataset.availabilityNone;
  var timer = null;
  var last = Date.now();  // the page was built with fresh places

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".result-session[data-facility]"));
  }

  function markers() {
    return window.NadeuriMap && window.NadeuriMap.bookableMarkers ? window.NadeuriMap.bookableMarkers() : [];
  }

  function wantedIds() {
    var seen = {};
    cards().forEach(function (card) { seen[card.dataset.facility] = true; });
    markers().forEach(function (marker) { seen[marker.facilityId] = true; });
    return Object.keys(seen);
  }

  function fetchBatch(ids) {
    return fetch(url + "?facility_ids=" + ids.join(","), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("availability " + r.status); } return r.json(); });
  }

  function apply(ids, items) {
    var byId = {};
    items.forEach(function (item) { byId[item.id] = item; });
    function state(id) {
      var item = byId[id];  // an id left out has no session soon, as the server says when it builds the page
      return item ? { text: item.text, full: item.state === "full", lottery: item.state === "lottery" }
        : { text: none, full: false, lottery: false };
    }
    var asked = {};
    ids.forEach(function (id) { asked[id] = true; });
    cards().forEach(function (card) {
      if (!asked[card.dataset.facility]) { return; }
      var s = state(card.dataset.facility);
      card.textContent = s.text;
      card.classList.toggle("is-full", s.full);
      card.classList.toggle("is-lottery", s.lottery);
    });
    markers().forEach(function (marker) {
      if (!asked[marker.facilityId]) { return; }
      var s = state(marker.facilityId);
      window.NadeuriMap.setSession(marker, s.text, s.full);
    });
  }

  function refresh() {
    last = Date.now();
    var ids = wantedIds();
    var jobs = [];
    for (var i = 0; i < ids.length; i += batch) {
      jobs.push(ids.slice(i, i + batch));
    }
    return Promise.all(jobs.map(function (part) {
      return fetchBatch(part).then(function (body) { apply(part, body.items || []); });
    })).catch(function () {
      // Offline or a server hiccup: the places shown stay as they were, and the next tick asks again.
    });
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
  }

  function start() {
    stop();
    timer = setInterval(refresh, every);
  }

  // A hidden tab asks nothing; back in view it catches up at once if a refresh was missed.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stop(); return; }
    if (Date.now() - last >= every) { refresh(); }
    start();
  });
  if (!document.hidden) { start(); }

  window.NadeuriLive = { refresh: refresh, running: function () { return timer !== null; } };
})();
