// LTI Platform Storage (1EdTech "LTI Client Side postMessages"): the launch's state and
// nonce kept in the platform's page, for a frame whose browser keeps no third-party cookie.
// Messages go to the platform's origin only, and answers from any other origin are ignored.
(function () {
  "use strict";
  var TIMEOUT = 2000;

  function newId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "lms-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function platformWindow() {
    return window.opener || window.parent;
  }

  // The window named by lti_storage_target (or by the platform's capabilities).
  function frameNamed(name) {
    var base = platformWindow();
    if (name && name !== "_parent") {
      try {
        if (base.frames[name]) { return base.frames[name]; }
      } catch (error) { /* another origin's frames may not be listed */ }
    }
    return base;
  }

  // Send `message` to `target` and wait for its answer from `origin` ("*": any origin,
  // only for lti.capabilities, which carries no data).
  function ask(target, origin, message) {
    return new Promise(function (resolve, reject) {
      var id = newId();
      var timer;
      function answer(event) {
        var data = event.data;
        if (!data || typeof data !== "object" || data.message_id !== id) { return; }
        if (origin !== "*" && event.origin !== origin) { return; }  // not the platform
        if (data.subject !== message.subject + ".response") { return; }
        window.removeEventListener("message", answer);
        clearTimeout(timer);
        if (data.error) { reject(data.error); } else { resolve(data); }
      }
      window.addEventListener("message", answer);
      timer = setTimeout(function () {
        window.removeEventListener("message", answer);
        reject({ code: "timeout" });
      }, TIMEOUT);
      target.postMessage(Object.assign({ message_id: id }, message), origin);
    });
  }

  // The frame that answers `subject`: the one the platform's capabilities name, else the
  // storage target given at login.
  function frameFor(config, subject) {
    return ask(platformWindow(), "*", { subject: "lti.capabilities" }).then(function (reply) {
      var supported = Array.isArray(reply.supported_messages) ? reply.supported_messages : [];
      for (var i = 0; i < supported.length; i++) {
        if (supported[i] && supported[i].subject === subject) {
          return frameNamed(supported[i].frame || config.target);
        }
      }
      return null;
    }, function () {
      return frameNamed(config.target);
    });
  }

  function put(config, key, value) {
    return frameFor(config, "lti.put_data").then(function (frame) {
      if (!frame) { return false; }
      return ask(frame, config.origin, { subject: "lti.put_data", key: key, value: value })
        .then(function (reply) { return reply.value === value; });
    }).catch(function () { return false; });
  }

  // The value kept at `key`; "" when the platform answered without one (an error: not
  // found), null when no platform answered (no storage here).
  function get(config, key) {
    return frameFor(config, "lti.get_data").then(function (frame) {
      if (!frame) { return null; }
      return ask(frame, config.origin, { subject: "lti.get_data", key: key })
        .then(function (reply) { return typeof reply.value === "string" ? reply.value : ""; },
          function (error) { return error && error.code === "timeout" ? null : ""; });
    }).catch(function () { return null; });
  }

  // Login: keep the state and nonce in the platform's page, then on to the platform's
  // authorisation URL (whatever happened: the state cookie may still work).
  var login = document.getElementById("lms-lti-storage-login");
  if (login) {
    var config = { target: login.dataset.target, origin: login.dataset.origin };
    var state = login.dataset.state;
    var nonce = login.dataset.nonce;
    put(config, "lti_state_" + state, state)
      .then(function (stored) { return stored && put(config, "lti_nonce_" + nonce, nonce); })
      .then(function () { window.location.replace(login.href); });
  }

  // Launch: read them back and post them to the LMS, which compares them with the launch's.
  var check = document.getElementById("lms-lti-storage-check");
  if (check) {
    var checkConfig = { target: check.dataset.target, origin: check.dataset.origin };
    Promise.all([
      get(checkConfig, check.dataset.stateKey),
      get(checkConfig, check.dataset.nonceKey),
    ]).then(function (values) {
      if (values[0] !== null && values[1] !== null) {
        check.elements.state.value = values[0];
        check.elements.nonce.value = values[1];
        check.elements.storage.value = "platform";
      }
      check.submit();
    });
  }
})();
