// The booking pages' one script. Everything works without it; it only adds what needs a browser:
// 1. the booking form's summary follows the chosen hours (hourly daycare);
// 2. "아니요" closes an in-page confirmation (templates/_confirm.html) again;
// 3. the week view of a facility's slots: prev/next week and live "places left" without a full reload.
//    The server draws the cells (templates/bookings/_week.html); this script only fetches that week again
//    (bookings.week_fragment) and swaps it in. DOMParser never runs scripts, and the markup is autoescaped Jinja.
(function () {
  "use strict";
  var hours = document.getElementById("hours");
  var summary = document.getElementById("hours-summary");
  if (hours && summary) {
    hours.addEventListener("change", function () {
      var option = hours.options[hours.selectedIndex];
      summary.textContent = hours.dataset.day + " " + hours.dataset.start + "–" + option.dataset.ends +
        " · " + option.value + "시간 이용";
    });
  }
})();

(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var no = event.target.closest("[data-close-confirm]");
    if (!no) return;
    var box = no.closest("details");
    if (!box) return;
    box.open = false;
    box.querySelector("summary").focus();
  });
})();

(function () {
  "use strict";
  var section = document.getElementById("slots");
  if (!section || !window.fetch || !window.DOMParser) return;
  var REFRESH_MS = 30000;
  var weekUrl = section.dataset.weekUrl;
  var status = section.querySelector("[data-status]");
  var loading = false;

  function fetchWeek(start) {
    return fetch(weekUrl + "?week=" + encodeURIComponent(start), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
  }

  function swap(selector, doc) {
    var old = section.querySelector(selector);
    var fresh = doc.querySelector(selector);
    if (old && fresh) old.parentNode.replaceChild(document.importNode(fresh, true), old);
  }

  function load(start, announce) {
    if (loading) return Promise.resolve();
    loading = true;
    section.setAttribute("aria-busy", "true");
    return fetchWeek(start).then(function (doc) {
      swap(".week-nav", doc);
      swap(".week", doc);
      var week = section.querySelector(".week");
      section.dataset.start = week.dataset.start;
      var first = week.querySelector("[data-label]");
      if (announce && status && first) status.textContent = first.dataset.label + "부터 7일 예약 시간을 불러왔습니다.";
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
