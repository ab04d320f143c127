// The weekend lottery's one script (내 예약). Everything works without it: the deadline is written in the page as a
// date with the time left when it was drawn. This only keeps "(n시간 n분 남음)" counting down while the page is open;
// the words match app/lottery/pages.py left_text.
(function () {
  "use strict";
  var clocks = document.querySelectorAll("[data-countdown]");
  if (!clocks.length) return;

  function leftText(until, now) {
    var minutes = Math.floor((until - now) / 60000);
    if (minutes <= 0) return "기한 지남";
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) return days + "일 " + hours + "시간 남음";
    if (hours) return hours + "시간 " + minutes + "분 남음";
    return minutes + "분 남음";
  }

  // The page says what time the server had; a phone whose clock is off still counts down the right time.
  var skew = Date.parse(clocks[0].dataset.now) - Date.now();
  if (isNaN(skew)) skew = 0;

  function tick() {
    var now = Date.now() + skew;
    clocks.forEach(function (clock) {
      var until = Date.parse(clock.dataset.countdown);
      if (!isNaN(until)) clock.textContent = "(" + leftText(until, now) + ")";
    });
  }

  tick();
  window.setInterval(tick, 15000);
})();
