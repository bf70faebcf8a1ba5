// Signature items: drawn with a finger on a canvas, saved as a PNG through the item's
// photo form (so it goes through the outbox and the photo checks like any photo).
// Plain pointer events, no inline script, no library.
(function () {
  "use strict";

  function setUp(pad) {
    if (pad.dataset.ready) return;
    pad.dataset.ready = "1";
    var canvas = pad.querySelector("canvas");
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;

    function blank() {
      ctx.fillStyle = "#fff";  // a PNG with no transparency: re-encoded as JPEG it stays white
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    }
    function point(evt) {
      var r = canvas.getBoundingClientRect();
      return [(evt.clientX - r.left) * canvas.width / r.width, (evt.clientY - r.top) * canvas.height / r.height];
    }
    blank();
    ctx.lineWidth = 4;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#1b1b1b";

    canvas.addEventListener("pointerdown", function (evt) {
      drawing = true;
      last = point(evt);
      canvas.setPointerCapture(evt.pointerId);
      evt.preventDefault();
    });
    canvas.addEventListener("pointermove", function (evt) {
      if (!drawing) return;
      var p = point(evt);
      ctx.beginPath();
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
      last = p;
      drawn = true;
      evt.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    pad.querySelector(".sig-clear").addEventListener("click", blank);
    pad.querySelector(".sig-save").addEventListener("click", function () {
      if (!drawn) return;
      var form = pad.closest("form.photo-form");
      var input = form && form.querySelector('input[type="file"]');
      if (!input || !window.DataTransfer) return;
      canvas.toBlob(function (blob) {
        var transfer = new DataTransfer();
        transfer.items.add(new File([blob], "signature.png", { type: "image/png" }));
        input.files = transfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }, "image/png");
    });
  }

  function scan() { document.querySelectorAll("[data-signature]").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSettle", scan);
})();
