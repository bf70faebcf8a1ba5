"""What a notification costs the request that sends it, and how fast the outbox drains.

Seeds a demo instance in a temporary folder, then:
- ``send()`` to 3 recipients who want mail at once (inbox rows + rendered mails into
  the outbox, one transaction): median and p95 over 200 calls;
- ``deliver_due`` against a real SMTP server (aiosmtpd on loopback): messages per second.

Prints a table. Run: .venv/bin/python benchmarks/notify_outbox.py
"""

from __future__ import annotations

import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402

from fieldapp import create_app  # noqa: E402
from fieldapp.notify import mailer, workflow  # noqa: E402
from fieldapp.ops import demo  # noqa: E402
from fieldapp.storage import notify as store  # noqa: E402
from fieldapp.storage.db import connect, migrate  # noqa: E402

CALLS = 200


class Count:
    n = 0

    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    migrate(str(folder / "cem.sqlite3"))
    db = connect(str(folder / "cem.sqlite3"))
    demo.seed(db, folder / "photos", days=6)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    app = create_app({"TESTING": True, "SECRET_KEY": "b", "DATABASE": str(folder / "cem.sqlite3"),
                      "PHOTO_DIR": str(folder / "photos"), "JOB_RUNNER": False,
                      "MAIL_HOST": "127.0.0.1", "MAIL_PORT": port})
    people = [r["id"] for r in db.query("SELECT id FROM users WHERE role IN ('manager', 'reviewer')")][:3]
    times = []
    with app.app_context():
        for n in range(CALLS):
            start = time.perf_counter()
            workflow.send(db, event="critical_failed", recipients=people,
                          params={"store": "해운대점 Haeundae", "date": "2026-12-01",
                                  "item": {"ko": "맨손 접촉 없음", "en": "No bare-hand contact"}},
                          link=f"/reports/visits/{n}")
            times.append((time.perf_counter() - start) * 1000)
    waiting = store.outbox_counts(db)["waiting"]
    start = time.perf_counter()
    while store.outbox_counts(db)["waiting"]:
        mailer.deliver_due(db, app.config)
    seconds = time.perf_counter() - start
    controller.stop()
    times.sort()
    print("| measure | value |")
    print("|---|---|")
    print(f"| send() to {len(people)} recipients, median | {statistics.median(times):.2f} ms |")
    print(f"| send() to {len(people)} recipients, p95 | {times[int(len(times) * 0.95)]:.2f} ms |")
    print(f"| outbox drained to aiosmtpd | {waiting} mails in {seconds:.2f} s ({waiting / seconds:.0f}/s) |")
    print(f"| received by the SMTP server | {Count.n} |")


if __name__ == "__main__":
    main()
