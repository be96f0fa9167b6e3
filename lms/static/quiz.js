/* The quiz attempt page: autosave, the save status, a warning before leaving with unsaved
 * answers, and the countdown. The page works without this script (Save and Submit are
 * plain form posts); with it, answers are saved as the learner goes.
 * No inline scripts or handlers anywhere, so a strict Content-Security-Policy holds. */
(function () {
  "use strict";

  var form = document.getElementById("quiz-form");
  if (!form) return;

  var DEBOUNCE_MS = 1500;
  var PERIODIC_MS = 30000;
  var RETRY_MIN_MS = 5000;
  var RETRY_MAX_MS = 60000;

  var statusEl = document.getElementById("save-status");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = tokenMeta ? tokenMeta.content : "";
  var saveUrl = form.dataset.saveUrl;

  var revision = 0; // bumped on every change
  var savedRevision = 0; // the revision the server has
  var invalid = false; // the server refused some answer: keep warning before leaving
  var saving = false;
  var closed = false; // submitted or out of time: stop saving
  var leaving = false; // the form itself is being posted
  var debounceTimer = null;
  var retryTimer = null;
  var retryDelay = RETRY_MIN_MS;

  function isDirty() {
    return revision !== savedRevision;
  }

  function setStatus(text, state) {
    if (statusEl.textContent !== text) statusEl.textContent = text;
    statusEl.dataset.state = state;
  }

  // Times in the learner's own zone (from their profile), as the server writes them.
  function clock(iso) {
    var date = iso ? new Date(iso) : new Date();
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      return date.toLocaleTimeString("en-GB", Object.assign({ timeZone: form.dataset.timezone }, options));
    } catch (error) {
      return date.toLocaleTimeString("en-GB", options);
    }
  }

  function collect() {
    var answers = {};
    form.querySelectorAll("[data-question]").forEach(function (el) {
      var type = el.dataset.type;
      var checked = Array.prototype.slice.call(el.querySelectorAll("input:checked"));
      var value;
      // Choice values are the attempt's opaque names for the choices: sent as they are.
      if (type === "single") {
        value = checked.length ? checked[0].value : null;
      } else if (type === "multiple") {
        value = checked.map(function (input) { return input.value; });
      } else if (type === "true_false") {
        value = checked.length ? checked[0].value === "true" : null;
      } else {
        value = el.querySelector("input, textarea").value;
      }
      answers[el.dataset.key] = value;
    });
    return answers;
  }

  function showErrors(errors) {
    form.querySelectorAll("[data-question]").forEach(function (el) {
      var key = el.dataset.key;
      var message = errors[key];
      var note = el.querySelector(".lms-js-error");
      var field = el.querySelector("input[type=text], textarea");
      if (message) {
        if (!note) {
          note = document.createElement("p");
          note.className = "lms-error lms-js-error";
          note.id = "q" + key + "-js-error";
          el.appendChild(note);
        }
        note.textContent = message;
        if (field) {
          field.setAttribute("aria-invalid", "true");
          var described = (field.getAttribute("aria-describedby") || "").split(" ");
          if (described.indexOf(note.id) < 0) described.push(note.id);
          field.setAttribute("aria-describedby", described.join(" ").trim());
        }
      } else if (note) {
        note.remove();
        if (field) field.removeAttribute("aria-invalid");
      }
    });
  }

  // Try again later: after `ms` when the server said how long (Retry-After), else with
  // a back-off that doubles up to a minute.
  function scheduleRetry(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(save, ms || retryDelay);
    if (!ms) retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function retryAfterMs(response) {
    var seconds = parseInt(response.headers.get("Retry-After") || "", 10);
    return seconds > 0 ? Math.min(seconds * 1000, RETRY_MAX_MS) : 0;
  }

  function save() {
    if (saving || closed || !isDirty()) return Promise.resolve();
    saving = true;
    clearTimeout(retryTimer);
    clearTimeout(debounceTimer);
    var sending = revision;
    setStatus("Saving…", "saving");
    return fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken,
      },
      body: JSON.stringify({ answers: collect() }),
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) {
          // A sign-in page or a proxy's error page, not our answer.
          setStatus("Not saved: you may have been signed out. Sign in again in another tab; " +
            "your answers stay on this page.", "error");
          scheduleRetry();
          return;
        }
        return response.json().then(function (body) {
          retryDelay = RETRY_MIN_MS;
          if (response.ok) {
            savedRevision = sending;
            invalid = false;
            showErrors({});
            setStatus("Saved at " + clock(body.saved_at), "saved");
          } else if (response.status === 409) {
            closed = true;
            savedRevision = revision;
            setStatus("Not saved: " + body.error, "closed");
            if (body.review_url) {
              leaving = true;
              setTimeout(function () { window.location.assign(body.review_url); }, 4000);
            }
          } else if (response.status === 503 || response.status === 429) {
            // Busy for a moment: nothing was saved, so send the same answers again.
            setStatus("Not saved yet: " + (body.error || "the server is busy.") +
              " Will retry", "offline");
            scheduleRetry(retryAfterMs(response));
          } else if (body.errors) {
            // The other answers were saved; these wait for the learner to fix them.
            savedRevision = sending;
            invalid = true;
            showErrors(body.errors);
            setStatus("Not saved: " + body.error, "error");
          } else {
            setStatus("Not saved: " + (body.error || "the server refused the answers."), "error");
          }
        });
      })
      .catch(function () {
        setStatus("Not saved yet, will retry", "offline");
        scheduleRetry();
      })
      .then(function () {
        saving = false;
        if (isDirty() && !closed && statusEl.dataset.state === "saved") queueSave();
      });
  }

  function queueSave() {
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(save, DEBOUNCE_MS);
  }

  function changed() {
    if (closed) return;
    revision += 1;
    if (statusEl.dataset.state !== "offline") setStatus("Not saved yet", "dirty");
    queueSave();
  }

  function countWords(textarea) {
    var counter = textarea.parentNode.querySelector("[data-word-count]");
    if (!counter) return;
    var words = textarea.value.trim() ? textarea.value.trim().split(/\s+/).length : 0;
    counter.textContent = String(words);
  }

  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") countWords(event.target);
    changed();
  });
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { leaving = true; });
  setInterval(function () { if (isDirty()) save(); }, PERIODIC_MS);
  window.addEventListener("online", function () { if (isDirty()) save(); });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || closed || !(isDirty() || invalid)) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // -- the countdown (the deadline is the server's; the page only counts down) -------------

  if (form.dataset.secondsLeft === undefined) return;
  var timeEl = document.querySelector("[data-time-left]");
  var announcer = document.getElementById("quiz-time-announcer");
  var graceMs = (parseInt(form.dataset.graceSeconds || "0", 10) + 2) * 1000;
  var endsAt = Date.now() + parseInt(form.dataset.secondsLeft, 10) * 1000;
  var milestones = [10, 5, 1];
  var announced = {};
  milestones.forEach(function (m) {
    if (parseInt(form.dataset.secondsLeft, 10) <= m * 60) announced[m] = true;
  });

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function timeUp() {
    announcer.textContent = "Time is up. Your saved answers are being submitted.";
    save().then(function () {
      closed = true;
      leaving = true;
      form.querySelectorAll("input, textarea, button").forEach(function (el) { el.disabled = true; });
      setStatus("Time is up. Submitting your saved answers…", "closed");
      setTimeout(function () { window.location.reload(); }, graceMs);
    });
  }

  var finished = false;
  function tick() {
    if (finished) return;
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    timeEl.textContent = format(left);
    milestones.forEach(function (m) {
      if (!announced[m] && left <= m * 60) {
        announced[m] = true;
        announcer.textContent = m === 1 ? "1 minute left." : m + " minutes left.";
      }
    });
    if (left <= 0) {
      finished = true;
      timeUp();
    }
  }
  tick();
  setInterval(tick, 1000);
})();
