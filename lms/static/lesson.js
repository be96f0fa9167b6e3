// Reports active reading time: seconds while the tab is visible and the reader has
// scrolled, typed, clicked or moved within the last two minutes, sent about every
// half minute and when the page is hidden. The server checks every report against its
// own clock and caps it; nothing here is trusted.
(function () {
  "use strict";
  var article = document.querySelector("[data-ping-url]");
  if (!article) return;
  var url = article.getAttribute("data-ping-url");
  var view = article.getAttribute("data-view");
  var every = Math.max(10, parseInt(article.getAttribute("data-ping-seconds"), 10) || 30) * 1000;
  var token = document.querySelector('meta[name="csrf-token"]');
  var IDLE_AFTER = 120 * 1000;
  var lastInput = Date.now();
  // The page reports time itself: "Mark complete" then adds only the time since the
  // last report (without this script, the time since the page opened counts, capped).
  document.querySelectorAll("[data-scripted]").forEach(function (field) { field.value = "1"; });
  var active = 0; // milliseconds of activity not yet reported
  var tickAt = Date.now();

  function isActive(now) {
    return document.visibilityState === "visible" && now - lastInput < IDLE_AFTER;
  }
  function tick() {
    var now = Date.now();
    if (isActive(now)) active += now - tickAt;
    tickAt = now;
  }
  function report() {
    tick();
    var seconds = Math.floor(active / 1000);
    active -= seconds * 1000;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": token ? token.content : "",
        "Accept": "application/json",
      },
      body: JSON.stringify({ view: view, seconds: seconds }),
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        var note = document.getElementById("reading-minimum");
        if (body && note && body.remaining_seconds === 0) note.hidden = true;
      })
      .catch(function () { /* offline: the server's clock bounds the next report */ });
  }
  ["scroll", "keydown", "pointerdown", "pointermove", "touchstart", "wheel"].forEach(function (name) {
    window.addEventListener(name, function () { tick(); lastInput = Date.now(); }, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") report();
    else { tickAt = Date.now(); lastInput = Date.now(); }
  });
  window.setInterval(tick, 1000);
  window.setInterval(report, every);
  report();
})();
