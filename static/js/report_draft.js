/* The public report form keeps a draft in this device's localStorage, so nothing typed is
   lost when the page reloads, the battery dies or the connection drops. The form works fully
   without this script. The draft is keyed by the school's public code and cleared once the
   receipt page is shown. It never holds the tracking PIN, the CSRF token or the form's
   idempotency key. */
(function () {
  "use strict";

  var PREFIX = "peksos-report-draft:";
  var SKIP = { csrfmiddlewaretoken: true, idempotency_key: true };

  function storage() {
    try {
      var s = window.localStorage;
      var probe = PREFIX + "probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null; // private mode or storage disabled: the form still works
    }
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP[el.name] && el.type !== "hidden" && el.type !== "password" &&
        el.type !== "submit" && el.type !== "button" && el.type !== "file";
    });
  }

  function read(form) {
    var draft = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (!draft[el.name]) draft[el.name] = [];
        if (el.checked) draft[el.name].push(el.value);
      } else {
        draft[el.name] = el.value;
      }
    });
    return draft;
  }

  function write(form, draft) {
    fields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(draft, el.name)) return;
      var value = draft[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
  }

  function hasText(draft) {
    return Object.keys(draft).some(function (name) {
      return typeof draft[name] === "string" && draft[name].trim() !== "";
    });
  }

  function isEmpty(form) {
    return !fields(form).some(function (el) {
      return el.type !== "checkbox" && el.type !== "radio" && el.value.trim() !== "";
    });
  }

  function setupForm(form, store) {
    var key = PREFIX + form.dataset.draftKey;
    var note = document.getElementById("draft-status");
    var clear = document.getElementById("draft-clear");

    function show(visible) {
      if (note) note.hidden = !visible;
    }

    function save() {
      var draft = read(form);
      try {
        if (hasText(draft)) {
          store.setItem(key, JSON.stringify(draft));
          show(true);
        } else {
          store.removeItem(key);
          show(false);
        }
      } catch (e) {
        show(false); // storage full: keep typing, the server still gets everything
      }
    }

    // Restore only into an empty form: after a server-side error the page already holds
    // exactly what was sent, and that wins.
    var saved = null;
    try {
      saved = JSON.parse(store.getItem(key) || "null");
    } catch (e) {
      saved = null;
    }
    if (saved && typeof saved === "object" && isEmpty(form)) {
      write(form, saved);
    }
    show(hasText(read(form)) && store.getItem(key) !== null);

    form.addEventListener("input", save);
    form.addEventListener("change", save);

    if (clear) {
      clear.addEventListener("click", function () {
        if (!window.confirm(form.dataset.draftConfirm || "?")) return;
        store.removeItem(key);
        form.reset();
        show(false);
      });
    }
  }

  function init() {
    var store = storage();
    if (!store) return;
    var form = document.getElementById("report-form");
    if (form && form.dataset.draftKey) setupForm(form, store);
    var done = document.getElementById("draft-done");
    if (done && done.dataset.draftKey) store.removeItem(PREFIX + done.dataset.draftKey);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
