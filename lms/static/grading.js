/* The grading screen: show the rubric total as the instructor types. The server computes
 * and checks the real total; this only mirrors it. No inline scripts (the CSP forbids them). */
(function () {
  "use strict";

  var form = document.getElementById("grade-form");
  var output = document.getElementById("grade-total");
  if (!form || !output) return;
  var inputs = form.querySelectorAll("[data-criterion-score]");

  function update() {
    var total = 0;
    for (var i = 0; i < inputs.length; i++) {
      var text = inputs[i].value.trim();
      var value = Number(text);
      if (text === "" || !isFinite(value)) {
        output.textContent = "–";
        return;
      }
      total += value;
    }
    output.textContent = String(Math.round(total * 100) / 100);
  }

  for (var i = 0; i < inputs.length; i++) {
    inputs[i].addEventListener("input", update);
  }
})();
