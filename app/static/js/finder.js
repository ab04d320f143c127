/* Search page: "내 위치" (geolocation), place suggestions from /api/places, "지도에서 보기".
   The form works without this file; it only adds what needs a browser. Text goes in via textContent. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var q = document.getElementById("q");
  var lat = document.getElementById("lat");
  var lon = document.getElementById("lon");
  var place = document.getElementById("place");
  var district = document.getElementById("district");
  var list = document.getElementById("place-suggestions");
  var status = document.getElementById("locate-status");
  var locate = document.getElementById("locate");
  var timer = null;
  var lastQuery = "";

  function clearPoint() { lat.value = ""; lon.value = ""; place.value = ""; }

  function hideSuggestions() { list.hidden = true; list.textContent = ""; }

  function choose(candidate) {
    hideSuggestions();
    if (candidate.type === "district") {
      clearPoint();
      district.value = candidate.district;
      q.value = "";
    } else {
      lat.value = candidate.lat; lon.value = candidate.lon; place.value = candidate.label;
      q.value = candidate.label;
      district.value = "";
    }
    form.submit();
  }

  function describe(c) {
    if (c.type === "district") { return "자치구"; }
    if (c.type === "dong") { return c.detail || "동"; }
    if (c.type === "address") { return "주소 · 시설 " + c.count + "곳"; }
    return "시설" + (c.address ? " · " + c.address : "");
  }

  function show(items) {
    list.textContent = "";
    if (!items.length) {
      status.textContent = "맞는 장소가 없습니다.";
      list.hidden = true;
      return;
    }
    items.forEach(function (c) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "suggestion";
      var strong = document.createElement("strong");
      strong.textContent = c.label;
      var small = document.createElement("span");
      small.className = "help";
      small.textContent = describe(c);
      button.appendChild(strong);
      button.appendChild(document.createTextNode(" "));
      button.appendChild(small);
      button.addEventListener("click", function () { choose(c); });
      li.appendChild(button);
      list.appendChild(li);
    });
    list.hidden = false;
    status.textContent = "장소 후보 " + items.length + "개. 아래 목록에서 고르세요.";
  }

  function lookUp() {
    var text = q.value.trim();
    if (text.length < 2 || text === lastQuery) { if (text.length < 2) { hideSuggestions(); } return; }
    lastQuery = text;
    fetch(form.dataset.placesUrl + "?limit=8&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) { if (q.value.trim() === text) { show(body.items || []); } })
      .catch(function () { hideSuggestions(); });
  }

  q.addEventListener("input", function () {
    clearPoint();  // a new text replaces a chosen point
    if (q.value.trim()) { district.value = ""; }
    clearTimeout(timer);
    timer = setTimeout(lookUp, 250);
  });
  q.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && !list.hidden) {
      var first = list.querySelector("button");
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === "Escape") { hideSuggestions(); }
  });
  list.addEventListener("keydown", function (event) {
    var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
    var i = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && i < buttons.length - 1) { event.preventDefault(); buttons[i + 1].focus(); }
    if (event.key === "ArrowUp") { event.preventDefault(); (i > 0 ? buttons[i - 1] : q).focus(); }
    if (event.key === "Escape") { hideSuggestions(); q.focus(); }
  });
  district.addEventListener("change", function () { if (district.value) { clearPoint(); q.value = ""; } });

  if (navigator.geolocation && locate) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = "위치를 확인하는 중입니다…";
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        place.value = "내 위치";
        q.value = ""; district.value = "";
        form.submit();
      }, function () {
        locate.disabled = false;
        status.textContent = "위치를 확인할 수 없습니다. 브라우저의 위치 권한을 확인하거나 장소 이름으로 찾아 주세요.";
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
    });
  }

  // Phones: the map or the list, switched by 목록/지도 (wide screens show both side by side).
  var finder = document.querySelector(".finder");
  var viewSwitch = document.getElementById("view-switch");
  var narrow = window.matchMedia("(max-width: 63.99rem)");
  function setView(view, scroll) {
    if (!finder || !viewSwitch) { return; }
    finder.setAttribute("data-view", view);
    Array.prototype.forEach.call(viewSwitch.querySelectorAll("button"), function (b) {
      b.setAttribute("aria-pressed", b.dataset.view === view ? "true" : "false");
    });
    if (view === "map" && window.NadeuriMap) {
      window.NadeuriMap.maps.forEach(function (m) { m.invalidateSize(); });
    }
    if (scroll) { document.getElementById("results").scrollIntoView({ block: "start" }); }
  }
  if (viewSwitch && finder) {
    viewSwitch.hidden = false;
    setView("list", false);
    viewSwitch.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-view]");
      if (button) { setView(button.dataset.view, narrow.matches); }
    });
    document.addEventListener("nadeuri:show-map", function () { if (narrow.matches) { setView("map", true); } });
  }

  if (window.NadeuriMap) {
    Array.prototype.forEach.call(document.querySelectorAll(".btn-map"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.NadeuriMap.showFacility(Number(button.dataset.facility));
      });
    });
  }
})();
