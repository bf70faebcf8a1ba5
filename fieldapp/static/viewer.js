// Photo viewer: every thumbnail link (a.photo-link) opens the full photo over the page.
// Two fingers zoom on a phone, the mouse wheel zooms on a desktop, a drag pans a zoomed
// photo; arrows, swipes and the keyboard step to the next or previous photo of the same
// visit (data-group). Without JavaScript the link opens the photo itself. No inline
// script or style: positions are set through the CSSOM, which CSP allows.
(function () {
  "use strict";
  var box = null, img = null, caption = null, counter = null, links = [], index = 0;
  var scale = 1, dx = 0, dy = 0, pinch = null, pan = null, swipeX = null;

  function build() {
    box = document.createElement("div");
    box.className = "viewer";
    box.hidden = true;
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    var t = (document.getElementById("i18n") || { dataset: {} }).dataset;
    box.innerHTML = '<div class="viewer-stage"><img class="viewer-img" alt=""></div>' +
      '<p class="viewer-caption"></p><span class="viewer-count"></span>' +
      '<button type="button" class="btn viewer-close"></button>' +
      '<button type="button" class="btn viewer-prev">‹</button>' +
      '<button type="button" class="btn viewer-next">›</button>';
    img = box.querySelector(".viewer-img");
    caption = box.querySelector(".viewer-caption");
    counter = box.querySelector(".viewer-count");
    box.querySelector(".viewer-close").textContent = "✕";
    box.querySelector(".viewer-close").setAttribute("aria-label", t.close || "Close");
    box.querySelector(".viewer-prev").setAttribute("aria-label", t.previous || "Previous");
    box.querySelector(".viewer-next").setAttribute("aria-label", t.next || "Next");
    box.querySelector(".viewer-close").addEventListener("click", close);
    box.querySelector(".viewer-prev").addEventListener("click", function () { step(-1); });
    box.querySelector(".viewer-next").addEventListener("click", function () { step(1); });
    var stage = box.querySelector(".viewer-stage");
    stage.addEventListener("wheel", onWheel, { passive: false });
    stage.addEventListener("touchstart", onTouchStart, { passive: false });
    stage.addEventListener("touchmove", onTouchMove, { passive: false });
    stage.addEventListener("touchend", onTouchEnd);
    stage.addEventListener("mousedown", function (e) { if (scale > 1) { pan = { x: e.clientX - dx, y: e.clientY - dy }; e.preventDefault(); } });
    window.addEventListener("mousemove", function (e) { if (pan) { dx = e.clientX - pan.x; dy = e.clientY - pan.y; apply(); } });
    window.addEventListener("mouseup", function () { pan = null; });
    document.body.appendChild(box);
  }

  function apply() {
    img.style.transform = "translate(" + dx + "px," + dy + "px) scale(" + scale + ")";
    box.dataset.scale = scale.toFixed(2);
  }

  function reset() { scale = 1; dx = 0; dy = 0; apply(); }

  function show(i) {
    index = (i + links.length) % links.length;
    var link = links[index];
    reset();
    img.src = link.getAttribute("href");
    img.alt = link.dataset.caption || "";
    caption.textContent = link.dataset.caption || "";
    counter.textContent = (index + 1) + " / " + links.length;
    box.querySelector(".viewer-prev").hidden = links.length < 2;
    box.querySelector(".viewer-next").hidden = links.length < 2;
  }

  function open(link) {
    if (!box) build();
    var group = link.dataset.group;
    links = Array.prototype.filter.call(document.querySelectorAll("a.photo-link"),
                                        function (a) { return !group || a.dataset.group === group; });
    box.hidden = false;
    document.documentElement.classList.add("viewer-open");
    show(Math.max(0, links.indexOf(link)));
    box.querySelector(".viewer-close").focus();
  }

  function close() {
    if (!box) return;
    box.hidden = true;
    img.removeAttribute("src");
    document.documentElement.classList.remove("viewer-open");
  }

  function step(n) { if (links.length > 1) show(index + n); }

  function zoomAt(factor) {
    scale = Math.min(8, Math.max(1, scale * factor));
    if (scale === 1) { dx = 0; dy = 0; }
    apply();
  }

  function onWheel(e) { e.preventDefault(); zoomAt(e.deltaY < 0 ? 1.2 : 1 / 1.2); }

  function distance(t) { return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY); }

  function onTouchStart(e) {
    if (e.touches.length === 2) { pinch = { d: distance(e.touches), s: scale }; e.preventDefault(); }
    else if (e.touches.length === 1) {
      if (scale > 1) pan = { x: e.touches[0].clientX - dx, y: e.touches[0].clientY - dy };
      else swipeX = e.touches[0].clientX;
    }
  }

  function onTouchMove(e) {
    if (pinch && e.touches.length === 2) {
      e.preventDefault();
      scale = Math.min(8, Math.max(1, pinch.s * distance(e.touches) / pinch.d));
      apply();
    } else if (pan && e.touches.length === 1) {
      e.preventDefault();
      dx = e.touches[0].clientX - pan.x; dy = e.touches[0].clientY - pan.y;
      apply();
    }
  }

  function onTouchEnd(e) {
    if (swipeX !== null && e.changedTouches.length && scale === 1) {
      var moved = e.changedTouches[0].clientX - swipeX;
      if (Math.abs(moved) > 60) step(moved < 0 ? 1 : -1);
    }
    if (scale <= 1) { dx = 0; dy = 0; apply(); }
    pinch = null; pan = null; swipeX = null;
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.photo-link");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    open(link);
  });

  document.addEventListener("keydown", function (e) {
    if (!box || box.hidden) return;
    if (e.key === "Escape") close();
    else if (e.key === "ArrowRight") step(1);
    else if (e.key === "ArrowLeft") step(-1);
    else if (e.key === "+" || e.key === "=") zoomAt(1.2);
    else if (e.key === "-") zoomAt(1 / 1.2);
  });
})();
