// Searchable pickers: a <select data-searchable> becomes a Tom Select box (vendored in
// static/vendor/tom-select/) where typing part of a name filters the options. Progressive
// enhancement: without JavaScript, or before it loads, the plain <select> works and submits the
// same value. Loaded on every page (templates/base.html); Tom Select's files are fetched only
// when the page has such a select. No inline script or style: CSP. The texts come, translated,
// from data-attributes of this script's own tag.
(function () {
  "use strict";
  var me = document.currentScript;
  var selects = document.querySelectorAll("select[data-searchable]");
  if (!me || !selects.length) return;
  var texts = me.dataset;

  function message(text, className) {
    var div = document.createElement("div");
    div.className = className;
    div.textContent = text;
    return div;
  }

  // A long list (data-search-url, peksos.core.forms.LongChoiceSelect): the page lists only the
  // chosen option, and typing asks the server (JSON {"results": [{value, text}]}, at most ~20).
  // data-search-depends names another field of the form whose value is sent along.
  function remote(select, settings) {
    var hint = select.parentNode.querySelector("[data-long-hint]");
    if (hint) hint.hidden = true; // it speaks of the page without JavaScript
    settings.valueField = "value";
    settings.labelField = "text";
    // The server has matched already (name or code): keep every answer, in its order.
    settings.score = function () { return function () { return 1; }; };
    settings.shouldLoad = function (query) { return query.length >= 1; };
    settings.load = function (query, callback) {
      var box = this;
      var url = new URL(select.dataset.searchUrl, window.location.href);
      url.searchParams.set("q", query);
      var depends = select.dataset.searchDepends;
      var other = depends && select.form && select.form.elements[depends];
      if (other && other.value) url.searchParams.set(depends, other.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          // Only this answer is listed (the chosen item stays), and nothing is cached: the
          // dependent field may have changed since the same text was typed.
          box.clearOptions();
          box.loadedSearches = {};
          callback(data.results || []);
        })
        .catch(function () { callback(); });
    };
  }

  function enhance(select) {
    if (select.tomselect) return;
    var empty = select.querySelector("option[value='']");
    var settings = {
      create: false,
      maxOptions: null, // every option reachable by scrolling, not only the first 50
      // The empty choice ("choose…") is the placeholder, not an item shown beside the typing;
      // an optional field is emptied with the clear button (or Backspace).
      allowEmptyOption: false,
      placeholder: empty ? empty.textContent.trim() : texts.placeholder,
      hidePlaceholder: true, // a chosen school shows alone, not beside "Type to search…"
      // Leave a typed search alone when focus moves on (Tom Select's default keeps it).
      selectOnTab: true,
      render: {
        no_results: function () { return message(texts.noResults, "no-results"); },
        loading: function () { return message(texts.loading, "spinner"); },
      },
    };
    if (select.dataset.searchUrl) remote(select, settings);
    settings.plugins = {};
    if (select.multiple) settings.plugins.remove_button = { title: texts.remove };
    if (!select.required) settings.plugins.clear_button = { title: texts.clear };
    // Tom Select points the select's <label> at its own typing field. The select, visually
    // hidden but still submitted, leaves the accessibility tree (one combobox, not two) and
    // keeps its name (axe: select-name); its tabindex is -1, so nothing hidden takes focus.
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    var name = label ? label.textContent.replace(/\*\s*$/, "").trim() : "";
    var box = new TomSelect(select, settings);
    if (name) {
      select.setAttribute("aria-label", name);
      select.setAttribute("aria-hidden", "true");
      if (box.control_input) box.control_input.setAttribute("aria-label", name);
    }
    if (select.hasAttribute("data-searchable-submit")) {
      box.on("change", function (value) {
        if (value && select.form) select.form.requestSubmit();
      });
    }
  }

  function start() {
    if (typeof TomSelect === "undefined") return;
    selects.forEach(enhance);
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = texts.css;
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = texts.js;
  if (me.nonce) script.nonce = me.nonce;
  script.onload = start;
  document.head.appendChild(script);
})();
