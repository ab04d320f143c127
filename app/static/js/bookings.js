// Week view of a facility's slots: prev/next week and live "places left" without a full reload.
// Data comes from /api/facilities/<id>/slots?date=; every value goes into the DOM as textContent.
(function () {
  "use strict";
  var section = document.getElementById("slots");
  if (!section || !window.fetch) return;
  var WEEKDAYS = "월화수목금토일";
  var REFRESH_MS = 30000;
  var api = section.dataset.api;
  var bookUrl = section.dataset.book;
  var today = section.dataset.today;
  var maxStart = section.dataset.max;
  var status = section.querySelector("[data-status]");
  var loading = false;

  function parseDay(iso) {
    var p = iso.split("-");
    return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2]));
  }
  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function addDays(iso, n) { var d = parseDay(iso); d.setUTCDate(d.getUTCDate() + n); return isoDay(d); }
  function label(iso) {
    var d = parseDay(iso);
    return (d.getUTCMonth() + 1) + "/" + d.getUTCDate() + " (" + WEEKDAYS[(d.getUTCDay() + 6) % 7] + ")";
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function slotNode(s) {
    var time = s.starts_at.slice(11, 16) + "–" + s.ends_at.slice(11, 16);
    var node;
    if (s.bookable) {
      node = el("a", "slot");
      node.href = bookUrl + "?slot=" + encodeURIComponent(s.id);
      node.appendChild(el("span", "time", time));
      node.appendChild(el("span", "left", s.remaining + "자리 남음"));
    } else {
      node = el("span", "slot " + (s.remaining <= 0 ? "full" : "closed"));
      node.appendChild(el("span", "time", time));
      node.appendChild(el("span", "left", s.remaining <= 0 ? "마감" : "예약 불가"));
    }
    node.dataset.slot = s.id;
    return node;
  }

  function dayNode(iso, items) {
    var li = el("li", "day" + (iso === today ? " today" : ""));
    li.dataset.date = iso;
    var h = el("h3", null, label(iso));
    if (iso === today) h.appendChild(el("span", "visually-hidden", " 오늘"));
    li.appendChild(h);
    if (!items.length) { li.appendChild(el("p", "slot-none", "예약 시간 없음")); return li; }
    var ul = el("ul");
    items.forEach(function (s) { var item = el("li"); item.appendChild(slotNode(s)); ul.appendChild(item); });
    li.appendChild(ul);
    return li;
  }

  function fetchDay(iso) {
    return fetch(api + "?date=" + encodeURIComponent(iso), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (body) { return body.items || []; });
  }

  function updateNav(start) {
    var nav = section.querySelector(".week-nav");
    while (nav.firstChild) nav.removeChild(nav.firstChild);
    var prev = start > today ? (addDays(start, -7) < today ? today : addDays(start, -7)) : null;
    var next = addDays(start, 7) <= maxStart ? addDays(start, 7) : null;
    [[prev, "← 이전 주"], [next, "다음 주 →"]].forEach(function (pair) {
      if (!pair[0]) return;
      var a = el("a", "button", pair[1]);
      a.href = "?week=" + pair[0] + "#slots";
      a.dataset.week = pair[0];
      nav.appendChild(a);
    });
  }

  function load(start, announce) {
    if (loading) return Promise.resolve();
    loading = true;
    section.setAttribute("aria-busy", "true");
    var days = [];
    for (var i = 0; i < 7; i++) days.push(addDays(start, i));
    return Promise.all(days.map(fetchDay)).then(function (results) {
      var week = section.querySelector(".week");
      var fresh = el("ol", "week");
      days.forEach(function (iso, i) { fresh.appendChild(dayNode(iso, results[i])); });
      week.parentNode.replaceChild(fresh, week);
      section.dataset.start = start;
      updateNav(start);
      if (announce && status) status.textContent = label(days[0]) + "부터 7일 예약 시간을 불러왔습니다.";
    }).catch(function () {
      if (status) status.textContent = "예약 시간을 불러오지 못했습니다. 페이지를 새로 고쳐 주세요.";
    }).then(function () {
      loading = false;
      section.removeAttribute("aria-busy");
    });
  }

  section.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-week]");
    if (!link) return;
    event.preventDefault();
    var start = link.dataset.week;
    var wasNext = link.textContent.indexOf("다음") !== -1;
    load(start, true).then(function () {
      if (window.history && history.replaceState) history.replaceState(null, "", "?week=" + start + "#slots");
      // Keep keyboard focus on the same control ("다음 주" stays focused while paging forward).
      var links = section.querySelectorAll(".week-nav a");
      var again = Array.prototype.filter.call(links, function (a) {
        return (a.textContent.indexOf("다음") !== -1) === wasNext;
      })[0] || links[0];
      if (again) again.focus();
    });
  });

  function refresh() { if (!document.hidden) load(section.dataset.start, false); }
  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
  window.addEventListener("pageshow", function (e) { if (e.persisted) refresh(); });
})();
