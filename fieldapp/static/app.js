// Glue for htmx on the auditor's phone. No inline scripts (CSP), no build step.
// - CSRF token in a header on every htmx request
// - every save to an item gets a client id and timestamp and goes through
//   the outbox (outbox.js): kept until the server confirms it
// - a failed save marks its item "not saved" with a Retry button and keeps
//   what was typed (inputs are only replaced by a successful reply)
// - stopwatch marks carry the phone's own time, fixed at the tap
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  function block(elt) {
    return elt && elt.closest ? elt.closest(".item, .feeling, .clock-bar") : null;
  }

  function setState(box, state) {
    if (!box) return;
    box.classList.toggle("unsaved", state === "failed");
    box.classList.toggle("saving", state === "saving");
    var retry = box.querySelector(".retry-state");
    if (retry) retry.hidden = state !== "failed";
    var saved = box.querySelector(".save-state");
    if (saved && state === "saving") saved.textContent = "…";
    if (saved && state === "failed") saved.textContent = "";
  }

  function kindOf(elt) {
    if (elt.closest(".photo-form")) return "photo";
    if (elt.hasAttribute("data-stamp") && elt.closest(".clock-bar")) return "clock";
    if (elt.hasAttribute("data-stamp")) return "timer";
    if (elt.closest(".feeling")) return "feeling";
    return "answer";
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRFToken"] = csrfToken();
    var elt = evt.detail.elt;
    var box = block(elt);
    if (!box || evt.detail.verb !== "post" || !window.Outbox) return;
    var params = evt.detail.parameters;
    if (elt.hasAttribute("data-stamp")) {
      if (!elt.dataset.at) elt.dataset.at = new Date().toISOString();
      if (!elt.dataset.clientId) elt.dataset.clientId = newId();
      params.at = elt.dataset.at;
      params.client_id = elt.dataset.clientId;
    } else {
      params.client_id = newId();
      params.client_ts = new Date().toISOString();
    }
    // Deletions and resets are not replayed offline: the element says so itself.
    if (elt.dataset.outbox !== "skip") {
      Outbox.keep(evt.detail.path, evt.detail.formData, box.id, kindOf(elt));
    }
  });

  document.addEventListener("htmx:beforeRequest", function (evt) { setState(block(evt.detail.elt), "saving"); });

  // The client id is read from the request itself: a successful reply has already
  // swapped in the new item (which shows "saved"), and the element that sent the
  // save is gone with the old one.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt, xhr = evt.detail.xhr;
    var config = evt.detail.requestConfig;
    var id = config && config.formData ? config.formData.get("client_id") : null;
    if (!id || !window.Outbox) return;
    var status = xhr ? xhr.status : 0;
    if (evt.detail.successful || status === 422) {
      Outbox.remove(id).then(Outbox.updateBadge);
      setState(block(elt), "ok");  // for a reply that swapped nothing (204)
      return;
    }
    var box = block(elt);  // no swap on a refusal or a failure: the sender is still here
    if (!box) return;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      // Refused for good (too large, gone): not worth replaying. A 409 (the visit was
      // submitted meanwhile) is held in the outbox instead: kept on the phone, not resent.
      (status === 409 ? Outbox.hold(id) : Outbox.remove(id)).then(Outbox.updateBadge);
      var msgs = document.getElementById("i18n");
      setState(box, "ok");
      var state = box.querySelector(".save-state");
      if (state) {
        state.textContent = status === 413 ? msgs.dataset.tooLarge : status === 409 ? msgs.dataset.held : msgs.dataset.refused;
        state.classList.add("field-error");
      }
    } else {
      setState(box, "failed");
      var kind = kindOf(elt);
      if (kind === "timer") advanceStopwatch(box, elt.getAttribute("hx-vals"), elt.dataset.at);
      if (kind === "clock") advanceClock(elt.dataset.event, elt.dataset.at);
      if (kind === "photo") notePendingPhoto(box);
      Outbox.updateBadge();
    }
  });

  // Submitting freezes a visit: it waits until every kept save has reached the server.
  document.addEventListener("outbox:count", function (evt) {
    document.querySelectorAll("[data-wait-for-sync]").forEach(function (el) {
      el.disabled = evt.detail > 0 || el.hasAttribute("data-blocked");
      var note = document.getElementById("sync-first");
      if (note) note.hidden = evt.detail === 0;
    });
  });

  // Logout forgets this phone's kept saves and cached pages and photos, so the next
  // person to log in on it sees and sends nothing of this user's (asks first if some
  // saves never reached the server). The server also answers with Clear-Site-Data.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.classList || !form.classList.contains("logout-form") || form.dataset.cleared) return;
    evt.preventDefault();
    var pending = window.Outbox ? Outbox.all().then(function (e) { return e.filter(Outbox.sendable).length; })
                                : Promise.resolve(0);
    pending.catch(function () { return 0; }).then(function (n) {
      var msgs = document.getElementById("i18n");
      if (n && !window.confirm(msgs.dataset.logoutUnsent.replace("{n}", n))) return;
      var jobs = [window.Outbox ? Outbox.clear() : null];
      if (window.caches) {
        jobs.push(caches.keys().then(function (names) {
          return Promise.all(names.filter(function (name) { return name.indexOf("cem-pages") === 0; })
                                  .map(function (name) { return caches.delete(name); }));
        }));
      }
      Promise.all(jobs).catch(function () { return null; }).then(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  });

  // Long text shows how much room is left (the textarea's maxlength is the server's limit).
  document.addEventListener("input", function (evt) {
    var area = evt.target;
    if (!area.matches || !area.matches("textarea[data-counter]")) return;
    var count = area.parentNode.querySelector(".text-counter .count");
    if (count) count.textContent = area.value.length;
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest(".retry");
    if (button && window.Outbox) Outbox.flush();
  });

  // -- showing saves that are still waiting (after a failure or a reload) --

  // An event in the checklist's words (the page lists them), else its key.
  function wordsFor(sw, event) {
    var words = {};
    try { words = JSON.parse(sw.dataset.eventWords || "{}"); } catch (e) { words = {}; }
    return words[event] || event.replace(/_/g, " ");
  }

  function advanceStopwatch(box, valsJson, at) {
    var sw = box.querySelector(".stopwatch");
    if (!sw) return;
    var event;
    try { event = JSON.parse(valsJson || "{}").event; } catch (e) { return; }
    var events = JSON.parse(sw.dataset.events || "[]");
    var done = JSON.parse(sw.dataset.done || "[]");
    if (!event || done.indexOf(event) >= 0) return;
    done.push(event);
    sw.dataset.done = JSON.stringify(done);
    if (!sw.dataset.first) sw.dataset.first = at;
    var list = sw.querySelector(".sw-marks");
    if (!list) { list = document.createElement("ol"); list.className = "sw-marks"; sw.appendChild(list); }
    var li = document.createElement("li");
    li.textContent = wordsFor(sw, event) + " · " + document.getElementById("i18n").dataset.pendingMark;
    list.appendChild(li);
    var remaining = events.filter(function (e) { return done.indexOf(e) < 0; });
    var button = sw.querySelector(".sw-btn");
    sw.dataset.running = remaining.length ? "1" : "";
    if (!button) return;
    if (!remaining.length) { button.remove(); return; }
    delete button.dataset.at;
    delete button.dataset.clientId;
    button.setAttribute("hx-vals", JSON.stringify({ event: remaining[0] }));
    var label = remaining.length === 1 ? sw.dataset.labelStop : sw.dataset.labelLap;
    button.textContent = label + ": " + wordsFor(sw, remaining[0]);
  }

  // A journey-clock mark not sent yet: shown as marked (waiting) on the bar and on
  // every timed item of this page that uses the event, with the phone's tap time.
  function advanceClock(event, at) {
    var bar = document.getElementById("clock-bar");
    if (!bar || !event || !at) return;
    var words = {};
    try { words = JSON.parse(bar.dataset.eventWords || "{}"); } catch (e) { words = {}; }
    bar.querySelectorAll('.clock-btn[data-event="' + event + '"]').forEach(function (b) { b.remove(); });
    var list = bar.querySelector(".clock-marks");
    if (list && !list.querySelector('[data-event="' + event + '"]')) {
      var li = document.createElement("li");
      li.className = "clock-mark pending";
      li.dataset.event = event;
      li.textContent = "✓ " + (words[event] || event.replace(/_/g, " ")) + " " + hhmmss(at) +
        " · " + document.getElementById("i18n").dataset.pendingMark;
      list.appendChild(li);
      var summary = bar.querySelector(".clock-log > summary");
      if (summary) summary.textContent = li.textContent;
    }
    document.querySelectorAll(".timed").forEach(function (sw) {
      var li = sw.querySelector('.timed-events [data-event="' + event + '"]');
      if (!li || li.classList.contains("marked")) return;
      li.classList.add("marked");
      var items = sw.querySelectorAll(".timed-events li");
      var first = items[0], last = items[items.length - 1];
      if (li === first) { sw.dataset.first = at; sw.dataset.running = last.classList.contains("marked") ? "" : "1"; }
      if (li === last && first.classList.contains("marked")) sw.dataset.running = "";
      li.firstChild.textContent = "✓ " + li.firstChild.textContent.replace(/^\S+ /, "");
    });
    var running = bar.querySelector(".clock-running");
    if (running && !running.dataset.running) {
      running.classList.add("stopwatch");
      running.dataset.first = at;
      running.dataset.running = "1";
      if (!running.querySelector(".sw-display")) {
        var out = document.createElement("output");
        out.className = "sw-display";
        running.appendChild(out);
      }
    }
  }

  function hhmmss(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toTimeString().slice(0, 8);
  }

  function notePendingPhoto(box) {
    var holder = box.querySelector(".photos");
    if (!holder || holder.querySelector(".photo-pending")) return;
    var note = document.createElement("span");
    note.className = "badge photo-pending";
    note.textContent = document.getElementById("i18n").dataset.pendingPhoto;
    holder.appendChild(note);
  }

  function applyPending(entry) {
    var box = document.getElementById(entry.target);
    if (!box) return;
    box.classList.add("unsaved");
    var retry = box.querySelector(".retry-state");
    if (retry) retry.hidden = false;
    if (entry.kind === "clock") {
      var mark = {};
      entry.fields.forEach(function (f) { mark[f[0]] = f[1]; });
      advanceClock(mark.event, mark.at);
    } else if (entry.kind === "timer") {
      var at = null, vals = {};
      entry.fields.forEach(function (f) { if (f[0] === "at") at = f[1]; if (f[0] === "event") vals.event = f[1]; });
      advanceStopwatch(box, JSON.stringify(vals), at);
    } else if (entry.kind === "photo") {
      notePendingPhoto(box);
    } else {
      entry.fields.forEach(function (f) {
        if (f.length === 3) return;
        box.querySelectorAll('[name="' + f[0] + '"]').forEach(function (input) {
          if (input.type === "radio") input.checked = input.value === f[1];
          else if (input.type === "checkbox") {  // multi_choice: one field per ticked box
            input.checked = entry.fields.some(function (g) { return g[0] === f[0] && g[1] === input.value; });
          }
          else if (input.type !== "hidden" && input.type !== "file") input.value = f[1];
        });
      });
    }
  }

  // A running stopwatch shows the time since its first mark.
  setInterval(function () {
    document.querySelectorAll('.stopwatch[data-running="1"]').forEach(function (sw) {
      var first = Date.parse(sw.dataset.first);
      if (isNaN(first)) return;
      var s = Math.max(0, Math.floor((Date.now() - first) / 1000));
      var out = sw.querySelector(".sw-display");
      if (out) out.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    });
  }, 500);

  document.addEventListener("DOMContentLoaded", function () {
    // The worker installs once someone is logged in: the login page is never cached, and the
    // login's redirect to /home is not handed to a worker that took over the page a moment ago
    // (once, in CI, a fresh Chromium came back to the login page right after a good login).
    var signedIn = (document.getElementById("i18n") || { dataset: {} }).dataset.user;
    if ("serviceWorker" in navigator && signedIn) {
      navigator.serviceWorker.register("/sw.js").then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        // A worker that activated while this page was loading does not control it yet: ask it to.
        if (!navigator.serviceWorker.controller && reg.active) reg.active.postMessage({ type: "claim" });
        // Cache every page of a visit as soon as it is opened.
        var urls = Array.prototype.map.call(document.querySelectorAll("[data-cache-page]"),
                                            function (a) { return a.getAttribute("href"); });
        if (urls.length && reg.active) reg.active.postMessage({ type: "cache-pages", urls: urls });
      }).catch(function () {});
    }
    if (window.Outbox) {
      Outbox.all().then(function (entries) {
        entries.forEach(applyPending);
        return Outbox.updateBadge();
      }).then(function (n) { if (n && navigator.onLine) Outbox.flush(); }).catch(function () {});
    }
    document.querySelectorAll("form.logout-form").forEach(function (form) {
      form.addEventListener("submit", function () {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage({ type: "forget-pages" });
        }
      });
    });
    // Starting a visit records the phone's location when the user allows it.
    document.querySelectorAll("form.start-form").forEach(function (form) {
      form.addEventListener("submit", function (evt) {
        if (form.dataset.located || !navigator.geolocation) return;
        evt.preventDefault();
        var done = function () { form.dataset.located = "1"; form.submit(); };
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector('[name="latitude"]').value = pos.coords.latitude.toFixed(5);
          form.querySelector('[name="longitude"]').value = pos.coords.longitude.toFixed(5);
          done();
        }, done, { timeout: 4000, maximumAge: 600000 });
      });
    });
  });
})();
