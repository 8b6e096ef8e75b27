// Small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  // After a failed submit, move focus to the error summary so screen reader and keyboard users
  // land on the list of problems.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // The reason for "niet van toepassing" is asked only when that answer is chosen. Without this
  // script the field is simply always there.
  function showReason(container) {
    var name = container.getAttribute("data-reason-for");
    var chosen = document.querySelector("input[name='" + name + "']:checked");
    container.hidden = !(chosen && chosen.value === "na");
  }
  Array.prototype.forEach.call(document.querySelectorAll(".wv-reason[data-reason-optional]"),
    showReason);
  document.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (!/^q\d+-answer$/.test(name)) {
      return;
    }
    var container = document.querySelector(".wv-reason[data-reason-for='" + name + "']");
    if (container) {
      showReason(container);
    }
  });

  // Autosave of questionnaire answers: each question saves in the background after a change.
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};
  var inflight = {};
  var again = {};

  function setStatus(question, text, state) {
    var status = document.getElementById("q" + question + "-status");
    if (!status) {
      return;
    }
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  // The step list says how far each step is; a background save changes that.
  function updateSteps(steps) {
    steps.forEach(function (step) {
      var item = document.querySelector(".wv-step[data-step='" + step.number + "']");
      if (!item) {
        return;
      }
      item.className = "wv-step wv-step--" + step.state;
      var label = item.querySelector(".wv-step-state");
      if (label) {
        label.textContent = " (" + step.label + ")";
      }
    });
  }

  function save(question) {
    var prefix = "q" + question + "-";
    // A question in conflict waits for the user's explicit choice: never save it in the background.
    if (form.elements[prefix + "conflict"]) {
      return;
    }
    // One save per question at a time: a second one would carry a stale version number.
    if (inflight[question]) {
      again[question] = true;
      return;
    }
    var data = new FormData();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0) {
        return;
      }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        return;
      }
      data.append(el.name, el.value);
    });
    if (!data.has(prefix + "answer")) {
      return;
    }
    inflight[question] = true;
    setStatus(question, form.getAttribute("data-text-saving"), "saving");
    var url = form.getAttribute("data-autosave-url").replace("/0/", "/" + question + "/");
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, body: body };
      });
    }).then(function (result) {
      var body = result.body;
      if (result.ok) {
        form.elements[prefix + "version"].value = body.version;
        form.elements[prefix + "original"].value = body.original;
        setStatus(question, form.getAttribute("data-text-saved"), "saved");
        if (body.status === "saved") {
          // A saved change makes an answer adopted from an example the user's own.
          document.querySelectorAll('[data-adopted-for="' + question + '"]').forEach(function (el) {
            el.remove();
          });
        }
        updateSteps(body.steps || []);
      } else if (body.status === "conflict") {
        setStatus(question, body.message, "conflict");
      } else if (body.errors) {
        setStatus(question, body.errors.join(" "), "invalid");
      } else if (body.message) {
        setStatus(question, body.message, "failed");
      } else {
        setStatus(question, form.getAttribute("data-text-failed"), "failed");
      }
    }).catch(function () {
      setStatus(question, form.getAttribute("data-text-failed"), "failed");
    }).then(function () {
      inflight[question] = false;
      if (again[question]) {
        again[question] = false;
        save(question);
      }
    });
  }

  form.addEventListener("change", function (event) {
    var match = /^q(\d+)-(answer|reason|note)$/.exec(event.target.name || "");
    if (!match) {
      return;
    }
    var question = match[1];
    clearTimeout(timers[question]);
    timers[question] = setTimeout(function () { save(question); }, 400);
  });
})();
