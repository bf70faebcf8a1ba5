"""CSV readers for the calibration inputs; every bad cell is reported with file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

from .records import (CalibrationError, Rows, _Bad, _count, _day, _hhmm, _hour, _rating, _servers, _slot,
                      _text, _timestamp, _wait)

__all__ = ["read_timings_csv", "read_traffic_csv", "read_staffing_csv", "read_ratings_csv"]


def _read_csv(path, required, optional, parsers) -> Rows:
    """Parse a CSV file into validated dicts; every problem is located."""
    path = Path(path)
    src = path.name
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        raise CalibrationError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CalibrationError(f"{path}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read file ({exc.strerror or type(exc).__name__})") from None
    out = Rows(source=src)
    with fh:
        reader = csv.reader(fh)
        try:
            header = None
            for raw in reader:
                if not any(c.strip() for c in raw):
                    continue           # blank lines
                if header is None:
                    header = [c.strip().lower() for c in raw]
                    seen = set()
                    for c in header:
                        if c and c in seen:
                            raise CalibrationError(f"{src}:{reader.line_num}: {c}: duplicate column")
                        seen.add(c)
                    missing = [c for c in required if c not in header]
                    if missing:
                        raise CalibrationError(
                            f"{src}:{reader.line_num}: {missing[0]}: missing column "
                            f"(need {', '.join(required)}; found {', '.join(h for h in header if h) or 'none'})")
                    continue
                line = reader.line_num
                if len(raw) > len(header) and any(c.strip() for c in raw[len(header):]):
                    raise CalibrationError(f"{src}:{line}: more values than columns "
                                           f"({len(raw)} values, {len(header)} columns)")
                rec = {}
                for col in tuple(required) + tuple(optional):
                    if col not in header:
                        continue
                    j = header.index(col)
                    val = raw[j] if j < len(raw) else None
                    try:
                        if col in required:
                            rec[col] = parsers[col](val)
                        else:
                            rec[col] = parsers[col](val) if val is not None and val.strip() else None
                    except _Bad as exc:
                        raise CalibrationError(f"{src}:{line}: {col}: {exc}") from None
                out.append(rec)
                out.lines.append(line)
        except UnicodeDecodeError:
            raise CalibrationError(f"{src}:{reader.line_num + 1}: not UTF-8 text") from None
        except csv.Error as exc:
            raise CalibrationError(f"{src}:{reader.line_num}: CSV syntax error: {exc}") from None
    if header is None:
        raise CalibrationError(f"{src}: the file is empty (need a header: {', '.join(required)})")
    if not out:
        raise CalibrationError(f"{src}: no data rows after the header")
    return out


def read_timings_csv(path) -> Rows:
    """Stopwatch records: columns visit, store, station, event, timestamp (ISO 8601 with offset)."""
    return _read_csv(path, ("visit", "store", "station", "event", "timestamp"), (),
                     {"visit": _text, "store": lambda v: "" if v is None else str(v).strip(),
                      "station": _text, "event": _text, "timestamp": _timestamp})


def read_traffic_csv(path) -> Rows:
    """Counts per 15 minutes: columns day (YYYY-MM-DD), slot_start (HH:MM), count; optional store.

    A (store, day, slot_start) that appears twice is an error at its second line.
    """
    rows = _read_csv(path, ("day", "slot_start", "count"), ("store",),
                     {"day": _day, "slot_start": _slot, "count": _count,
                      "store": lambda v: str(v).strip()})
    seen = {}
    for i, r in enumerate(rows):
        key = (r.get("store"), r["day"], r["slot_start"])
        if key in seen:
            raise CalibrationError(f"{rows.source}:{rows.lines[i]}: slot_start: {_hhmm(r['slot_start'])} "
                                   f"on {r['day']} already counted on line {seen[key]}")
        seen[key] = rows.lines[i]
        r["slot_start"] = _hhmm(r["slot_start"])
    return rows


def read_staffing_csv(path) -> Rows:
    """Servers per clock hour: columns hour (0-23), servers; optional store."""
    rows = _read_csv(path, ("hour", "servers"), ("store",),
                     {"hour": _hour, "servers": _servers, "store": lambda v: str(v).strip()})
    seen = {}
    for i, r in enumerate(rows):
        key = (r.get("store"), r["hour"])
        if key in seen:
            raise CalibrationError(f"{rows.source}:{rows.lines[i]}: hour: {r['hour']} "
                                   f"already given on line {seen[key]}")
        seen[key] = rows.lines[i]
    return rows


def read_ratings_csv(path) -> Rows:
    """Auditors' ratings: columns wait_min (>= 0), rating (1-5)."""
    return _read_csv(path, ("wait_min", "rating"), (), {"wait_min": _wait, "rating": _rating})
