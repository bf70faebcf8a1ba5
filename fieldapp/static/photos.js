// Photos from the phone: each picked photo is downsized on the phone (canvas, to the
// app's maximum side, JPEG) and sent on its own with a progress bar and a Cancel button.
// The server still checks and re-encodes every photo. Several photos picked at once are
// all sent, one after another. A photo that cannot be sent (no network) waits in the
// outbox like an answer. No inline script or style (CSP).
(function () {
  "use strict";

  function msgs() { return document.getElementById("i18n").dataset; }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  /** A JPEG Blob whose longer side is at most maxPx; the original when it cannot be drawn. */
  function downsize(file, maxPx) {
    if (!window.createImageBitmap || !/^image\//.test(file.type || "image/")) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1024 * 1024 && file.type === "image/jpeg") { bitmap.close(); return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });  // e.g. HEIC the browser cannot draw: the server converts it
  }

  function clearErrors(box) {
    box.querySelectorAll(".photos .field-error, .photo-error").forEach(function (el) { el.remove(); });
    var state = box.querySelector(".save-state");
    if (state) { state.textContent = ""; state.classList.remove("field-error"); }
    box.classList.remove("has-error");
  }

  function showError(box, text) {
    var holder = box.querySelector(".photos") || box;
    var p = document.createElement("p");
    p.className = "field-error photo-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    holder.appendChild(p);
  }

  function progressRow(box, name) {
    var row = document.createElement("div");
    row.className = "upload-row";
    var label = document.createElement("span");
    label.className = "muted upload-name";
    label.textContent = msgs().uploading + " " + name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "btn small upload-cancel";
    cancel.textContent = msgs().cancel;
    row.appendChild(label); row.appendChild(bar); row.appendChild(cancel);
    (box.querySelector(".photos") || box).appendChild(row);
    return { row: row, bar: bar, cancel: cancel };
  }

  function swapItem(boxId, html) {
    var old = document.getElementById(boxId);
    if (!old || !html) return;
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) return;
    old.replaceWith(fresh);
    if (window.htmx) htmx.process(fresh);
  }

  /** Send one photo; resolves "ok", "refused", "cancelled" or "offline". */
  function send(url, boxId, file, takenAt) {
    var box = document.getElementById(boxId);
    var ui = progressRow(box, file.name || "");
    var maxPx = parseInt(msgs().photoMaxPx || "1600", 10);
    var cancelled = false, xhr = null;
    ui.cancel.addEventListener("click", function () {
      cancelled = true;
      if (xhr) xhr.abort();
    });
    return downsize(file, maxPx).then(function (blob) {
      if (cancelled) return "cancelled";
      var form = new FormData();
      form.append("photo", blob, (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg");
      form.append("client_id", newId());
      form.append("taken_at", takenAt);
      var kept = window.Outbox ? Outbox.keep(url, form, boxId, "photo") : Promise.resolve(null);
      return kept.then(function () {
        return new Promise(function (resolve) {
          xhr = new XMLHttpRequest();
          xhr.open("POST", url);
          xhr.setRequestHeader("X-CSRFToken", csrfToken());
          xhr.setRequestHeader("HX-Request", "true");
          xhr.upload.onprogress = function (e) { if (e.lengthComputable) ui.bar.value = Math.round(100 * e.loaded / e.total); };
          var forget = function () { return window.Outbox ? Outbox.remove(form.get("client_id")).then(Outbox.updateBadge) : null; };
          xhr.onload = function () {
            if (xhr.status === 200 || xhr.status === 422) {
              forget(); ui.row.remove(); swapItem(boxId, xhr.responseText);
              resolve(xhr.status === 200 ? "ok" : "refused");
            } else if (xhr.status >= 400 && xhr.status < 500 && xhr.status !== 408 && xhr.status !== 429) {
              forget(); ui.row.remove();
              var b = document.getElementById(boxId);
              if (b) showError(b, xhr.status === 413 ? msgs().tooLarge : msgs().refused);
              resolve("refused");
            } else { ui.row.remove(); resolve("offline"); }
          };
          xhr.onerror = function () { ui.row.remove(); resolve("offline"); };
          xhr.onabort = function () {
            forget(); ui.row.remove();
            var b = document.getElementById(boxId);
            if (b) showError(b, msgs().cancelled);
            resolve("cancelled");
          };
          xhr.send(form);
        });
      });
    });
  }

  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!input.matches || !input.matches('.photo-form input[type="file"]')) return;
    var form = input.closest(".photo-form");
    var box = input.closest(".item");
    if (!form || !box || !input.files || !input.files.length) return;
    var url = form.dataset.uploadUrl;
    var files = Array.prototype.slice.call(input.files);
    var boxId = box.id;
    clearErrors(box);
    input.value = "";  // picking the same photo again is a new try
    var chain = Promise.resolve(), offline = false;
    files.forEach(function (file) {
      // when the photo was taken, by the phone: a camera capture is "now"
      var takenAt = new Date(file.lastModified || Date.now()).toISOString();
      chain = chain.then(function () {
        return send(url, boxId, file, takenAt).then(function (r) { if (r === "offline") offline = true; });
      });
    });
    chain.then(function () {
      if (offline) {
        var b = document.getElementById(boxId);
        if (b) {
          b.classList.add("unsaved");
          var retry = b.querySelector(".retry-state");
          if (retry) retry.hidden = false;
          var holder = b.querySelector(".photos");
          if (holder && !holder.querySelector(".photo-pending")) {
            var note = document.createElement("span");
            note.className = "badge photo-pending";
            note.textContent = msgs().pendingPhoto;
            holder.appendChild(note);
          }
        }
      }
    });
  });
})();
