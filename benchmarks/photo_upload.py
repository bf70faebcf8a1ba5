"""Photo upload time on a slow store connection: the full camera photo (as the phone
used to send it) against the phone downsizing it to 1600 px first (static/photos.js).

Chromium's own network throttling (CDP ``Network.emulateNetworkConditions``) holds the
phone to 1.5 Mbit/s up and down with 40 ms latency; the app runs on loopback with a
demo-seeded throw-away instance. Each row is one upload of the same 2.4 MB, 12 MP
camera-like JPEG, timed from the pick (or the post) until the server's answer is on
screen. Target: under 3 s after downsizing.

    .venv/bin/python benchmarks/photo_upload.py [--runs 2]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
MBIT = 1_000_000 / 8  # bytes per second in one Mbit/s
NETWORK = {"offline": False, "latency": 40, "downloadThroughput": 1.5 * MBIT, "uploadThroughput": 1.5 * MBIT}


def camera_photo(target_bytes: int = 2_400_000, size=(4032, 3024)) -> bytes:
    """A camera-like 12 MP JPEG of about ``target_bytes``: soft shapes and shading (a
    scene) plus per-pixel sensor noise, the mix that makes real phone photos this big."""
    import numpy as np
    from PIL import ImageFilter

    rng = np.random.default_rng(42)
    scene = Image.fromarray(rng.integers(0, 255, (size[1] // 64, size[0] // 64, 3), dtype=np.uint8))
    scene = scene.resize(size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(6))
    pixels = np.asarray(scene, dtype=np.int16)
    best = b""
    for sigma in (4, 6, 8, 10, 12, 14, 16, 20):
        noisy = np.clip(pixels + rng.normal(0, sigma, pixels.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(noisy).save(buf, "JPEG", quality=88)
        best = buf.getvalue()
        if len(best) >= target_bytes * 0.97:
            break
    return best


def serve(instance: Path):
    from werkzeug.serving import make_server

    from fieldapp import create_app
    app = create_app({"SECRET_KEY": "bench", "DATABASE": str(instance / "cem.sqlite3"),
                      "PHOTO_DIR": str(instance / "photos"), "JOB_RUNNER": False, "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def seed(instance: Path) -> None:
    from fieldapp.ops import demo
    from fieldapp.storage.db import connect, migrate
    migrate(str(instance / "cem.sqlite3"))
    db = connect(str(instance / "cem.sqlite3"))
    demo.seed(db, instance / "photos", days=2)
    db.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from checklists import load_library
    from fieldapp.ops.demo import DEMO_PASSWORD_SUFFIX

    photo = camera_photo()
    checklist = load_library()["doughnut-mystery-shop"]
    item = next(i for i in checklist.items() if i.type == "photo")
    stage = [s.key for s in checklist.stages].index(checklist.stage_of(item.key).key)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        instance = Path(tmp)
        seed(instance)
        server, base = serve(instance)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(base + "/login")
        page.fill("#username", "shopper")
        page.fill("#password", "shopper" + DEMO_PASSWORD_SUFFIX)
        page.click("button[type=submit]")
        page.wait_for_url("**/home")
        with page.expect_navigation():
            page.locator("form.start-form button").first.click()
        visit = page.url.split("/visits/")[1].split("/")[0]
        page.goto(f"{base}/visits/{visit}/stage/{stage}")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        url = f"/visits/{visit}/items/{item.key}/photos"
        thumbs = page.locator(f"#item-{item.key} a.photo-link")
        for run in range(args.runs):
            # before: the whole camera file, posted as the page used to (htmx, multipart)
            ms = page.evaluate("""async ([url, bytes]) => {
                const body = new FormData();
                body.append('photo', new Blob([new Uint8Array(bytes)], {type: 'image/jpeg'}), 'IMG.jpg');
                const token = document.querySelector('meta[name="csrf-token"]').content;
                const t0 = performance.now();
                const r = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token, 'HX-Request': 'true'}});
                await r.text();
                return performance.now() - t0; }""", [url, list(photo)])
            rows.append(("full camera photo (before)", len(photo), ms / 1000))
            page.reload()
            count = thumbs.count()
            page.evaluate("""() => { window.__sent = []; const send = XMLHttpRequest.prototype.send;
                XMLHttpRequest.prototype.send = function (b) {
                    if (b instanceof FormData && b.get('photo')) {
                        const rec = {size: b.get('photo').size, sent: performance.now()};
                        window.__sent.push(rec);
                        this.addEventListener('loadend', () => { rec.done = performance.now(); });
                    }
                    return send.call(this, b); }; }""")
            picked = page.evaluate("() => performance.now()")
            t0 = time.perf_counter()
            page.locator(f"#item-{item.key} input[type=file]").set_input_files(
                files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}])
            thumbs.nth(count).wait_for()
            seconds = time.perf_counter() - t0
            sent = page.evaluate("() => window.__sent[0]")
            rows.append(("downsized on the phone (after)", sent["size"], seconds))
            rows.append(("  of which: downsizing on the phone", None, (sent["sent"] - picked) / 1000))
            rows.append(("  of which: upload + server reply", sent["size"], (sent["done"] - sent["sent"]) / 1000))
        browser.close()
        server.shutdown()
    print(f"Photo upload at {NETWORK['uploadThroughput'] / MBIT:.1f} Mbit/s, {NETWORK['latency']} ms latency "
          f"(Chromium CDP throttling); camera photo {len(photo) / 1e6:.2f} MB, 4032x3024")
    print(f"{'upload':<38}{'bytes sent':>12}{'seconds':>10}")
    for name, size, seconds in rows:
        print(f"{name:<38}{'' if size is None else f'{size:,}':>12}{seconds:>10.2f}")
    for name in sorted({r[0] for r in rows}):
        times = [r[2] for r in rows if r[0] == name]
        print(f"{'median ' + name.strip():<50}{statistics.median(times):>10.2f}")
    return 0


from PIL import Image  # noqa: E402  (after the sys.path line, like the other imports)

if __name__ == "__main__":
    sys.exit(main())
