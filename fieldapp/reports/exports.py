"""The dashboard's tables as CSV and JSON, written as they are read.

Each export is a generator: the visits come from one SQLite cursor and each
store's trend from one ordered query, so memory stays flat however many
visits a year holds, and the first bytes leave before the last row is read.
"""

from __future__ import annotations

import csv
import io
import json

from fieldapp.auth import capabilities
from fieldapp.reports import data as report_data
from fieldapp.storage import results
from fieldapp.web.i18n import text_of
from fieldapp.web.timefmt import local_iso

CSV_TABLES = ("stores", "hotspots", "visits", "actions")
BATCH = 500  # rows per chunk sent: fewer, larger writes


def _round(value):
    return None if value is None else round(value, 1)


def store_row(r: dict) -> dict:
    return {"rank": r["rank"], "code": r["store"]["code"], "store": r["store"]["name"],
            "region": r["store"]["region"], "visits": r["visits"], "average": _round(r["average"]),
            "pass_rate": _round(r["pass_rate"]), "open_actions": r["open_actions"],
            "overdue_actions": r["overdue_actions"], "trend": [_round(x) for x in r["series"]]}


def hotspot_row(h: dict) -> dict:
    return {"item_key": h["key"], "item": text_of(h["item"].title), "stage": text_of(h["stage"].title),
            "failed": h["count"], "rate": _round(h["rate"]), "critical": h["critical"]}


def visit_row(v: dict, role: str) -> dict:
    return {"id": v["id"], "store": v["store_code"], "started_at": local_iso(v["started_at"]),
            "checklist": v["checklist_id"], "score": _round(v["score"]), "passed": bool(v["passed"]),
            "auditor": capabilities.auditor_label(role, v)}


def action_row(a: dict) -> dict:
    return {"id": a["id"], "store": a["store_code"], "item_key": a["item_key"],
            "item": text_of(a["item"].title) if a["item"] else a["item_key"], "owner": a["owner"],
            "due_date": a["due_date"], "status": a["status"], "overdue": a["overdue"]}


def table_rows(db, data, table: str, role: str):
    """One table's export rows, lazily; ``data`` is a ``dashboard.Dashboard``."""
    data = data.reading_from(db)
    if table == "stores":
        return (store_row(r) for r in report_data.with_series(db, data.scope, data.ranking,
                                                              data.filters.stage or None))
    if table == "hotspots":
        return (hotspot_row(h) for h in data.hotspots)
    if table == "visits":
        return (visit_row(v, role) for v in results.visits_newest_first(db, data.scope))
    return (action_row(a) for a in data.actions_iter(limit=None))


def _cell(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(rows):
    """CSV text in chunks: a BOM (spreadsheet apps then read Hangul as UTF-8), the
    header with the first row, then ``BATCH`` rows at a time."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = None
    for n, row in enumerate(rows):
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: " ".join(map(str, v)) if isinstance(v, list) else _cell(v) for k, v in row.items()})
        if n == 0 or n % BATCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell() or writer is None:
        yield out.getvalue()


def json_chunks(db, data, role: str):
    """The dashboard as one JSON object, its lists written item by item."""
    data = data.reading_from(db)
    head = {"filters": data.filters.args(), "visit_count": data.visit_count,
            "checklist": data.checklist.id if data.checklist else None}
    yield json.dumps(head, ensure_ascii=False)[:-1]
    for table in ("stores", "hotspots", "visits", "actions"):
        yield f', "{table}": ['
        buf = []
        for n, row in enumerate(table_rows(db, data, table, role)):
            buf.append(("," if n else "") + json.dumps(row, ensure_ascii=False))
            if len(buf) >= BATCH:
                yield "".join(buf)
                buf = []
        yield "".join(buf) + "]"
    yield "}"
