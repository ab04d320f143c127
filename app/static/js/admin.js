// Admin console helpers: "select all" for the flag list and the facility-name picker (an ARIA 1.2 combobox).
// Facility names are data: they arrive as JSON and go into the page with textContent only.
(function () {
  "use strict";

  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var name = box.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });

  function picker(root) {
    var find = function (selector) { return root.querySelector(selector); };
    var input = find("[role=combobox]"), list = find("[role=listbox]"), status = find(".picker-status");
    var hidden = find('input[type=hidden][name="facility_id"]'), picked = find(".picked");
    var multiple = root.getAttribute("data-multiple"), url = root.getAttribute("data-search-url");
    var results = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function show() {
      list.textContent = "";
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        var name = document.createElement("strong");
        name.textContent = item.name;
        var meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = " " + [item.kind, item.district, "#" + item.id].filter(Boolean).join(" · ");
        li.append(name, meta);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }

    function addChip(item) {
      if (picked.querySelector('input[value="' + item.id + '"]')) return;
      var li = document.createElement("li");
      var label = document.createElement("span");
      label.textContent = item.name + " (#" + item.id + ")";
      var keep = document.createElement("input");
      keep.type = "hidden";
      keep.name = multiple;
      keep.value = String(item.id);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small-button danger";
      remove.textContent = "빼기";
      remove.setAttribute("aria-label", item.name + " 빼기");
      remove.addEventListener("click", function () { li.remove(); input.focus(); });
      li.append(label, keep, remove);
      picked.appendChild(li);
    }

    function choose(i) {
      var item = results[i];
      if (!item) return;
      if (multiple) {
        addChip(item);
        input.value = "";
        status.textContent = item.name + " 추가함";
      } else {
        input.value = item.name;
        hidden.value = String(item.id);
        status.textContent = item.name + " 고름";
      }
      close();
    }

    function search() {
      var q = input.value.trim();
      var mine = ++asked;
      if (!q) { results = []; close(); return; }
      fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== asked) return;  // an older answer after a newer question
          results = data.results || [];
          active = -1;
          show();
          status.textContent = results.length ? "시설 " + results.length + "곳. 위아래 화살표로 고르세요." : "맞는 시설이 없습니다.";
        });
    }

    input.addEventListener("input", function () {
      if (hidden) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!results.length) return;
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + results.length) % results.length;
        show();
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll(".facility-picker").forEach(picker);
})();
