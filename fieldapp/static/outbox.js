// The outbox: every save an auditor makes is written to IndexedDB before it
// is sent, removed when the server confirms it, and replayed in order when
// the connection comes back. A closed tab, a reload or a dead zone in the
// store loses nothing. The server applies each client id once and keeps the
// newest edit of an item by its client timestamp, so replays never double.
// Each save remembers whose it is: another user logged in on the same phone
// never sends it. A save refused with 409 (the visit was submitted meanwhile)
// stays here, held, and is not replayed on its own. Logout clears it all.
(function () {
  "use strict";
  var DB_NAME = "cem-outbox", STORE = "saves";
  var dbPromise = null, flushing = false, counter = 0;

  function open() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore(STORE, { keyPath: "client_id" });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function me() {
    var el = document.getElementById("i18n");
    return el ? el.dataset.user || "" : "";
  }

  /** Entries this user may send: their own, not held back by a 409. */
  function sendable(entry) { return (!entry.user || entry.user === me()) && !entry.held; }

  function put(entry) { return tx("readwrite", function (s) { return s.put(entry); }); }
  function remove(id) { return tx("readwrite", function (s) { return s.delete(id); }); }
  function all() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).sort(function (a, b) { return a.seq - b.seq; });
    });
  }

  /** Keep a request's fields (files included) until the server has it. */
  function keep(path, formData, targetId, kind) {
    var fields = [];
    formData.forEach(function (value, name) {
      if (value instanceof Blob) fields.push([name, value, value.name || "photo.jpg"]);
      else fields.push([name, String(value)]);
    });
    var id = formData.get("client_id");
    var entry = { client_id: id, seq: Date.now() * 1000 + (counter++ % 1000), url: path,
                  fields: fields, target: targetId, kind: kind, page: location.pathname, user: me() };
    return put(entry).then(updateBadge).then(function () { return entry; });
  }

  function bodyOf(entry) {
    var fd = new FormData();
    entry.fields.forEach(function (f) {
      if (f.length === 3) fd.append(f[0], f[1], f[2]); else fd.append(f[0], f[1]);
    });
    return fd;
  }

  /** Send what is waiting, oldest first; stop at the first network failure. */
  function flush() {
    if (flushing) return Promise.resolve();
    flushing = true;
    var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
    return all().then(function (entries) {
      var chain = Promise.resolve(true);
      entries.forEach(function (entry) {
        chain = chain.then(function (goOn) {
          if (!goOn) return false;
          if (!sendable(entry)) return true;
          return fetch(entry.url, { method: "POST", body: bodyOf(entry), credentials: "same-origin",
                                    headers: { "X-CSRFToken": token, "HX-Request": "true" } })
            .then(function (response) {
              if (response.ok || response.status === 422) {
                return response.text().then(function (html) {
                  swapIn(entry.target, html);
                  return remove(entry.client_id).then(function () { return true; });
                });
              }
              if (response.status === 409) {  // frozen meanwhile: keep it, held, never lost silently
                markRefused(entry.target, 409);
                entry.held = 409;
                return put(entry).then(function () { return true; });
              }
              if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
                markRefused(entry.target, response.status);
                return remove(entry.client_id).then(function () { return true; });
              }
              return false;
            }, function () { return false; });
        });
      });
      return chain;
    }).then(function () { flushing = false; return updateBadge(); },
            function () { flushing = false; return updateBadge(); });
  }

  function swapIn(targetId, html) {
    var old = targetId && document.getElementById(targetId);
    if (!old || !html) return;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) return;
    // Out-of-band parts of the reply (a clock mark's timed items) replace their own ids.
    Array.prototype.slice.call(holder.children, 1).forEach(function (part) {
      var mine = part.id && part.hasAttribute("hx-swap-oob") && document.getElementById(part.id);
      if (!mine) return;
      part.removeAttribute("hx-swap-oob");
      mine.replaceWith(part);
      if (window.htmx) htmx.process(part);
    });
    old.replaceWith(fresh);
    if (window.htmx) htmx.process(fresh);
  }

  function markRefused(targetId, status) {
    var box = targetId && document.getElementById(targetId);
    if (!box) return;
    var msgs = document.getElementById("i18n");
    var text = status === 413 ? msgs.dataset.tooLarge : status === 409 ? msgs.dataset.held : msgs.dataset.refused;
    box.classList.remove("pending", "unsaved");
    var state = box.querySelector(".save-state");
    if (state) { state.textContent = text; state.classList.add("field-error"); }
  }

  /** Hold a save the server refused with 409: kept on the phone, not replayed. */
  function hold(id) {
    return tx("readwrite", function (s) {
      var req = s.get(id);
      req.onsuccess = function () { if (req.result) { req.result.held = 409; s.put(req.result); } };
    });
  }

  /** Forget every kept save (logout: the next person on this phone must not send them). */
  function clear() { return tx("readwrite", function (s) { return s.clear(); }).then(updateBadge); }

  function updateBadge() {
    return all().then(function (entries) {
      entries = entries.filter(sendable);
      var badge = document.getElementById("net-status");
      if (!badge) return entries.length;
      var msgs = document.getElementById("i18n");
      badge.hidden = entries.length === 0;
      badge.textContent = entries.length ? msgs.dataset.waiting.replace("{n}", entries.length) +
        (navigator.onLine ? "" : " · " + msgs.dataset.offline) : "";
      badge.dataset.count = entries.length;
      document.dispatchEvent(new CustomEvent("outbox:count", { detail: entries.length }));
      return entries.length;
    }).catch(function () { return 0; });
  }

  window.Outbox = { keep: keep, remove: remove, all: all, flush: flush, updateBadge: updateBadge,
                    hold: hold, clear: clear, sendable: sendable };
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { updateBadge(); });
  setInterval(function () {
    if (navigator.onLine) all().then(function (e) { if (e.length) flush(); });
  }, 15000);
})();
