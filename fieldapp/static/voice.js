// The customer survey's live skip logic: static/relevance.js evaluates (the same rules and
// semantics as the server, checklists/relevance.py); this only reads the form. Without
// script the server decides on each post, so the page works either way. No inline script.
(function () {
  "use strict";

  function value(box) {
    var key = box.dataset.item, radios = [], checks = [], other;
    box.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.name !== key) return;
      if (el.type === "radio") radios.push(el);
      else if (el.type === "checkbox") checks.push(el);
      else other = el;
    });
    if (radios.length) {
      var on = radios.filter(function (r) { return r.checked; })[0];
      return on ? on.value : null;
    }
    if (checks.length) return checks.filter(function (c) { return c.checked; }).map(function (c) { return c.value; });
    return other ? other.value : undefined;
  }

  function refresh() {
    var holder = document.getElementById("voice-relevance");
    if (!holder || !window.Relevance) return;
    var rules, order, answers;
    try {
      rules = JSON.parse(holder.dataset.rules || "{}");
      order = JSON.parse(holder.dataset.order || "[]");
      answers = JSON.parse(holder.dataset.answers || "{}");
    } catch (e) { return; }
    var boxes = document.querySelectorAll(".v-item[data-item]");
    boxes.forEach(function (box) {
      var v = value(box);
      if (v !== undefined) answers[box.dataset.item] = v;
    });
    var asked = window.Relevance.relevantKeys(order, rules, answers);
    boxes.forEach(function (box) {
      var hide = !asked[box.dataset.item];
      if (box.hidden !== hide) box.hidden = hide;
    });
  }

  document.addEventListener("change", refresh);
  document.addEventListener("input", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
