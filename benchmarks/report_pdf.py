"""Render time and size of the two report PDFs, on a demo instance built in a temp folder.

- a visit report with 20 photos (the demo's photos plus extra phone-sized ones)
- a 90-day store report (demo seeded with 90 days of visits)

Target on the project machine: under 3 s each.

Example:
    .venv/bin/python benchmarks/report_pdf.py --runs 3
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw  # noqa: E402
import pdfplumber  # noqa: E402

from fieldapp import create_app
from fieldapp.ops import demo
from fieldapp.audit import photo_files
from fieldapp.reports import data as report_data
from fieldapp.reports import views as reports
from fieldapp.storage.db import connect, migrate  # noqa: E402
from fieldapp.storage import photos, stores, users  # noqa: E402

PHOTOS_IN_VISIT = 20


def build_instance(folder: Path) -> Path:
    migrate(str(folder / "cem.sqlite3"))
    db = connect(str(folder / "cem.sqlite3"))
    demo.seed(db, folder / "photos", days=90)
    db.close()
    return folder


def add_photos(db, photo_dir: Path, visit_id: int, target: int) -> int:
    """Top a visit up to ``target`` photos of phone size (stored as the app stores uploads)."""
    have = db.execute("SELECT count(*) FROM photos WHERE visit_id = ?", [visit_id]).fetchone()[0]
    keys = ["storefront_photo", "entrance_clean", "counter_clean", "tables_clean"]
    for n in range(have, target):
        image = Image.new("RGB", (4032, 3024), (90 + n * 7 % 120, 120, 160))
        draw = ImageDraw.Draw(image)
        for i in range(40):
            draw.ellipse((i * 97, (i * 53) % 2800, i * 97 + 220, (i * 53) % 2800 + 220), fill=(230, 180, 90))
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=90)
        stored = photo_files.store_photo(buf.getvalue(), photo_dir / str(visit_id), max_px=1600)
        photos.add_photo(db, visit_id=visit_id, item_key=keys[n % len(keys)],
                         filename=f"{visit_id}/{stored.filename}",
                         thumb_filename=f"{visit_id}/{stored.thumb_filename}", width=stored.width,
                         height=stored.height, size=stored.size, uploaded_by=None)
    return target


def timed(fn, runs: int) -> tuple[list[float], bytes]:
    times, out = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_instance(Path(tmp))
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": str(folder / "cem.sqlite3"),
                          "PHOTO_DIR": str(folder / "photos")})
        db = connect(str(folder / "cem.sqlite3"))
        manager = next(db.query("SELECT * FROM users WHERE username = 'manager'"))
        store = next(db.query("SELECT * FROM stores WHERE code = 'HD02'"))
        visit_id = next(db.query("SELECT id FROM visits WHERE store_id = ? AND status = 'released' "
                                 "ORDER BY started_at DESC LIMIT 1", [store["id"]]))["id"]
        add_photos(db, folder / "photos", visit_id, PHOTOS_IN_VISIT)
        rows = []
        with app.test_request_context("/", headers={"Accept-Language": "ko"}):
            from flask_login import login_user

            from fieldapp.auth.views import User
            from fieldapp.storage.db import get_db
            from fieldapp.storage import visits

            login_user(User(users.get_user(db, manager["id"])))
            gdb = get_db()

            def visit_pdf():
                report = report_data.visit_report(gdb, visits.get_visit(gdb, visit_id))
                return reports.render_visit_pdf(report)

            end = date.today()
            start = end - timedelta(days=89)
            scope = reports.Scope([stores.get_store(gdb, store["id"])], store["name"], {"store": store["id"]})

            def period_pdf():
                report = report_data.period_report(gdb, stores=scope.stores, org_id=manager["org_id"],
                                                   start=start, end=end)
                return reports.render_period_pdf(scope, report)

            for name, fn in ((f"visit report, {PHOTOS_IN_VISIT} photos", visit_pdf),
                             ("store report, 90 days", period_pdf)):
                times, pdf = timed(fn, args.runs)
                with pdfplumber.open(io.BytesIO(pdf)) as doc:  # images as drawn on the pages
                    pages, images = len(doc.pages), sum(len(p.images) for p in doc.pages)
                rows.append((name, pages, images, len(pdf) / 1024, min(times), statistics.median(times)))
        db.close()
    print(f"{'report':<28} {'pages':>5} {'images':>6} {'size KB':>8} {'min s':>7} {'median s':>9}  target < 3 s")
    for name, pages, images, size, best, median in rows:
        verdict = "ok" if median < 3 else "SLOW"
        print(f"{name:<28} {pages:>5} {images:>6} {size:>8.0f} {best:>7.2f} {median:>9.2f}  {verdict}")


if __name__ == "__main__":
    main()
