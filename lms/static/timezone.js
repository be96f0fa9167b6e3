// Sign-up: choose the browser's time zone in the time-zone list (a select marked
// data-detect-timezone, when the page is first shown), and keep the summary that names the
// zone up to date. Without scripts the list stays at the site's default zone.
(function () {
  "use strict";
  var select = document.querySelector("select[data-detect-timezone]");
  var label = document.querySelector("[data-timezone-label]");
  if (!select) return;
  var detected = "";
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) { /* an old browser: keep the default */ }
  var known = Array.prototype.some.call(select.options, function (option) {
    return option.value === detected;
  });
  if (known) select.value = detected;
  function show() {
    if (label && select.selectedIndex >= 0) {
      label.textContent = select.options[select.selectedIndex].text;
    }
  }
  select.addEventListener("change", show);
  show();
})();
