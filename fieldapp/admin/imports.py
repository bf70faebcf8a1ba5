"""Bulk import of stores and users from CSV or XLSX: check everything, then apply all or nothing.

The same functions serve ``fieldapp import-stores`` / ``import-users`` and the
upload on the admin pages. A file is read whole and checked row by row; every
problem is one located line ``stores.csv:14: region: empty`` (a code and its
params, so the page can say it in Korean). Only a file without problems is
applied, in one transaction, as an upsert by store code / username: importing
the same file again changes nothing. New users get a temporary password that
is returned once and stored only as a hash.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass, field
from pathlib import PurePath

from fieldapp.storage import audit_log, stores, users

STORE_COLUMNS = ("code", "name", "region", "chain", "store_type", "address", "latitude",
                 "longitude", "opening_hours")
STORE_REQUIRED = ("code", "name", "region", "chain")
USER_COLUMNS = ("username", "display_name", "role", "language", "mystery_shopper", "region",
                "stores", "active")
USER_REQUIRED = ("username", "role")
MAX_ROWS = 5000
MAX_ERRORS = 20

# problem code -> English sentence (the CLI); the page translates by code (web/labels.py)
PROBLEMS = {
    "file_type": "not a CSV or XLSX file",
    "unreadable": "the file cannot be read",
    "no_rows": "no rows under the header",
    "too_many_rows": "more than %(max)s rows",
    "missing_column": "missing column",
    "unknown_column": "unknown column",
    "empty": "empty",
    "repeated": "repeated (first on row %(first)s)",
    "too_long": "longer than %(max)s characters",
    "not_number": "not a number",
    "out_of_range": "not between %(low)s and %(high)s",
    "both_or_neither": "give both latitude and longitude, or neither",
    "hours_format": "not like 09:00-22:00",
    "yes_no": "not yes or no",
    "role": "not one of %(choices)s",
    "language": "not ko or en",
    "unknown_store": "unknown store code %(code)s",
    "username_format": "only letters, digits, dot, dash and underscore",
    "shopper_not_auditor": "only an auditor can be a mystery shopper",
    "taken": "already taken",
}


@dataclass
class Problem:
    row: int
    column: str
    code: str
    params: dict = field(default_factory=dict)

    def line(self, filename: str) -> str:
        return f"{filename}:{self.row}: {self.column}: {PROBLEMS[self.code] % self.params}"


class ImportRefused(Exception):
    """The file has problems; nothing was changed."""

    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.line(self.filename) for p in self.problems[:MAX_ERRORS]]


@dataclass
class Change:
    """One row's effect: ``create``, ``update`` (with the changed fields) or ``same``."""
    action: str
    key: str
    values: dict
    changed: tuple = ()
    store_ids: tuple = ()
    existing_id: int | None = None


@dataclass
class Plan:
    kind: str
    filename: str
    changes: list[Change]
    passwords: list[tuple[str, str]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        return (f"{self.count('create')} created, {self.count('update')} updated, "
                f"{self.count('same')} unchanged")


# --- reading --------------------------------------------------------------------

def read_rows(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows (with their 1-based row numbers) as text cells."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused(filename, [Problem(1, "file", "unreadable")]) from None
        table = list(csv.reader(io.StringIO(text)))
    elif suffix in (".xlsx", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            table = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        except Exception:  # calamine raises its own types for every kind of broken file
            raise ImportRefused(filename, [Problem(1, "file", "unreadable")]) from None
    else:
        raise ImportRefused(filename, [Problem(1, "file", "file_type")])
    table = [[_text(cell) for cell in row] for row in table]
    if not table:
        raise ImportRefused(filename, [Problem(1, "file", "no_rows")])
    header = [h.strip().lower() for h in table[0]]
    rows = [(n, row) for n, row in enumerate(table[1:], start=2) if any(c.strip() for c in row)]
    return header, rows


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _records(filename, data, columns, required):
    header, rows = read_rows(filename, data)
    problems = [Problem(1, c, "missing_column") for c in required if c not in header]
    problems += [Problem(1, h or "?", "unknown_column") for h in header if h and h not in columns]
    if problems:
        raise ImportRefused(filename, problems)
    if not rows:
        raise ImportRefused(filename, [Problem(2, "file", "no_rows")])
    if len(rows) > MAX_ROWS:
        raise ImportRefused(filename, [Problem(MAX_ROWS + 2, "file", "too_many_rows", {"max": MAX_ROWS})])
    index = {h: i for i, h in enumerate(header) if h}
    return [(n, {c: (row[index[c]] if c in index and index[c] < len(row) else "").strip()
                 for c in columns}) for n, row in rows]


# --- checking -------------------------------------------------------------------

HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
USERNAME = re.compile(r"^[A-Za-z0-9._-]{1,80}$")
YES = {"1", "yes", "y", "true", "o", "예"}
NO = {"0", "no", "n", "false", "x", "", "아니오"}


def check_store_values(values: dict, row: int = 0) -> tuple[dict, list[Problem]]:
    """Clean one store's values (from a file row or the store form); problems by column."""
    problems = []
    for column in STORE_REQUIRED:
        if not values.get(column, "").strip():
            problems.append(Problem(row, column, "empty"))
    clean = {k: (values.get(k) or "").strip() for k in STORE_COLUMNS}
    for column, limit in (("code", 20), ("name", 120), ("region", 60), ("chain", 60),
                          ("store_type", 40), ("address", 300), ("opening_hours", 200)):
        if len(clean[column]) > limit:
            problems.append(Problem(row, column, "too_long", {"max": limit}))
    clean["store_type"] = clean["store_type"] or "standard"
    for column, bound in (("latitude", 90), ("longitude", 180)):
        text = clean[column]
        if not text:
            clean[column] = None
            continue
        try:
            number = float(text)
        except ValueError:
            problems.append(Problem(row, column, "not_number"))
            clean[column] = None
            continue
        if not -bound <= number <= bound:
            problems.append(Problem(row, column, "out_of_range", {"low": -bound, "high": bound}))
        clean[column] = number
    if (clean["latitude"] is None) != (clean["longitude"] is None) and \
            not any(p.column in ("latitude", "longitude") for p in problems):
        problems.append(Problem(row, "longitude" if clean["longitude"] is None else "latitude",
                                "both_or_neither"))
    hours = [h.strip() for h in re.split(r"[,;]", clean["opening_hours"]) if h.strip()]
    if any(not HOURS.match(h) for h in hours):
        problems.append(Problem(row, "opening_hours", "hours_format"))
    clean["opening_hours"] = ", ".join(hours)
    return clean, problems


def _yes_no(text: str) -> bool | None:
    low = text.strip().lower()
    return True if low in YES else False if low in NO else None


def check_user_values(values: dict, store_codes: dict, row: int = 0) -> tuple[dict, tuple, list[Problem]]:
    """Clean one user's values; return (values, store ids, problems)."""
    problems = []
    clean = {k: (values.get(k) or "").strip() for k in USER_COLUMNS}
    if not clean["username"]:
        problems.append(Problem(row, "username", "empty"))
    elif not USERNAME.match(clean["username"]):
        problems.append(Problem(row, "username", "username_format"))
    if not clean["role"]:
        problems.append(Problem(row, "role", "empty"))
    elif clean["role"] not in users.ROLES:
        problems.append(Problem(row, "role", "role", {"choices": ", ".join(users.ROLES)}))
    if clean["language"] not in ("", "ko", "en"):
        problems.append(Problem(row, "language", "language"))
    for column, default in (("mystery_shopper", False), ("active", True)):
        flag = _yes_no(clean[column]) if clean[column] else default
        if flag is None:
            problems.append(Problem(row, column, "yes_no"))
        clean[column] = bool(flag)
    if clean["mystery_shopper"] and clean["role"] and clean["role"] != "auditor":
        problems.append(Problem(row, "mystery_shopper", "shopper_not_auditor"))
    for column, limit in (("display_name", 80), ("region", 60)):
        if len(clean[column]) > limit:
            problems.append(Problem(row, column, "too_long", {"max": limit}))
    store_ids = []
    for code in re.split(r"[\s,;]+", clean["stores"]):
        if code and code not in store_codes:
            problems.append(Problem(row, "stores", "unknown_store", {"code": code}))
        elif code:
            store_ids.append(store_codes[code])
    out = {"display_name": clean["display_name"] or clean["username"], "role": clean["role"],
           "locale": clean["language"] or None, "mystery_shopper": int(clean["mystery_shopper"]),
           "region": clean["region"], "active": int(clean["active"])}
    return out, tuple(sorted(set(store_ids))), problems


def plan_stores(db, org_id: int, filename: str, data: bytes) -> Plan:
    """What importing this stores file would do; :class:`ImportRefused` lists its problems."""
    problems, changes, seen = [], [], {}
    for n, record in _records(filename, data, STORE_COLUMNS, STORE_REQUIRED):
        clean, found = check_store_values(record, n)
        problems += found
        code = clean.pop("code")
        if code in seen:
            problems.append(Problem(n, "code", "repeated", {"first": seen[code]}))
        seen.setdefault(code, n)
        if found or not code:
            continue
        existing = stores.get_by_code(db, org_id, code)
        changes.append(_change(code, clean, existing, stores.STORE_FIELDS))
    if problems:
        raise ImportRefused(filename, problems)
    return Plan("stores", filename, changes)


def plan_users(db, org_id: int, filename: str, data: bytes) -> Plan:
    """What importing this users file would do; :class:`ImportRefused` lists its problems."""
    codes = {s["code"]: s["id"] for s in stores.org_stores(db, org_id)}
    problems, changes, seen = [], [], {}
    for n, record in _records(filename, data, USER_COLUMNS, USER_REQUIRED):
        clean, store_ids, found = check_user_values(record, codes, n)
        problems += found
        username = record["username"].strip()
        if username.lower() in seen:
            problems.append(Problem(n, "username", "repeated", {"first": seen[username.lower()]}))
        seen.setdefault(username.lower(), n)
        if found:
            continue
        existing = users.get_by_username(db, username)
        change = _change(username, clean, existing, users.USER_FIELDS)
        change.store_ids = store_ids
        if existing and tuple(users.store_ids_of(db, existing["id"])) != store_ids:
            change.action, change.changed = "update", change.changed + ("stores",)
        changes.append(change)
    if problems:
        raise ImportRefused(filename, problems)
    return Plan("users", filename, changes)


def _change(key: str, clean: dict, existing: dict | None, fields) -> Change:
    if existing is None:
        return Change("create", key, clean)
    changed = tuple(f for f in fields if f in clean and existing.get(f) != clean[f])
    return Change("update" if changed else "same", key, clean, changed, existing_id=existing["id"])


# --- applying -------------------------------------------------------------------

def import_stores(db, org_id: int, filename: str, data: bytes, *, actor_id: int | None = None) -> Plan:
    """Check, then upsert every store of the file in one transaction (or change nothing)."""
    with db.atomic():
        plan = plan_stores(db, org_id, filename, data)
        for change in plan.changes:
            if change.action == "create":
                stores.insert_store(db, org_id, change.key, change.values)
            elif change.action == "update":
                stores.update_store(db, change.existing_id, change.values)
        _log(db, plan, actor_id)
    return plan


def import_users(db, org_id: int, filename: str, data: bytes, *, actor_id: int | None = None) -> Plan:
    """Check, then upsert every user of the file in one transaction (or change nothing).

    New users get a temporary password (``plan.passwords``), to change at first login.
    """
    # scrypt is slow on purpose (a tenth of a second or more each): hash the new
    # users' passwords before taking the write lock, then check the file again inside
    first = plan_users(db, org_id, filename, data)
    fresh = {c.key: temporary_password() for c in first.changes if c.action == "create"}
    hashes = {key: users.hash_password(password) for key, password in fresh.items()}
    with db.atomic():
        plan = plan_users(db, org_id, filename, data)
        for change in plan.changes:
            if change.action == "create":
                password = fresh.get(change.key) or temporary_password()
                users.insert_user(db, org_id=org_id, username=change.key,
                                  password_hash=hashes.get(change.key) or users.hash_password(password),
                                  values=change.values, store_ids=change.store_ids, must_change=True)
                plan.passwords.append((change.key, password))
            elif change.action == "update":
                users.update_user(db, change.existing_id, change.values, store_ids=change.store_ids)
        _log(db, plan, actor_id)
    return plan


def _log(db, plan: Plan, actor_id) -> None:
    if plan.count("create") or plan.count("update"):
        audit_log.record(db, actor_id=actor_id, action=f"import_{plan.kind}", object_type=plan.kind,
                         detail=f"file={PurePath(plan.filename).name} created={plan.count('create')} "
                                f"updated={plan.count('update')}")


def temporary_password() -> str:
    """Twelve characters from an unambiguous alphabet: easy to read out and type on a phone."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def passwords_csv(passwords: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "temporary_password"])
    writer.writerows(passwords)
    return out.getvalue()
