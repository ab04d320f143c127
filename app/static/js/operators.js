// Operator console: open the roster at the current or next session (unless the address names a place already),
// and ask before a removal in the weekly grid.
(function () {
  "use strict";
  if (!window.location.hash) {
    var current = document.querySelector("[data-current]");
    if (current) current.scrollIntoView({ block: "start" });
  }
  document.querySelectorAll("form[data-confirm-removals]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var removed = form.querySelectorAll("input[data-was-on]:not(:checked)");
      if (!removed.length || form.querySelector("input[name=confirm][value='1']")) return;
      var names = Array.prototype.map.call(removed, function (box) { return box.getAttribute("data-label"); });
      if (!window.confirm(names.length + "개 회차를 삭제합니다: " + names.join(", ") + "\n계속할까요?")) {
        event.preventDefault();
      } else {
        var confirmed = document.createElement("input");
        confirmed.type = "hidden"; confirmed.name = "confirm"; confirmed.value = "1";
        form.appendChild(confirmed);
      }
    });
  });
})();
