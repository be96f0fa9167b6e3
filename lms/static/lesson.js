// Reports reading time: a ping on load and then regularly while the page is visible.
// The server measures and caps the time between pings; nothing here is trusted.
(function () {
  "use strict";
  var article = document.querySelector("[data-ping-url]");
  if (!article) return;
  var url = article.getAttribute("data-ping-url");
  var every = Math.max(10, parseInt(article.getAttribute("data-ping-seconds"), 10) || 30) * 1000;
  var token = document.querySelector('meta[name="csrf-token"]');
  function ping() {
    if (document.visibilityState !== "visible") return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.content : "", "Accept": "application/json" },
    }).catch(function () { /* offline: the next ping counts the time */ });
  }
  ping();
  window.setInterval(ping, every);
  document.addEventListener("visibilitychange", ping);
})();
