"""Users, their roles and the stores they belong to."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from fieldapp.storage import now

ROLES = ("admin", "manager", "reviewer", "auditor", "planner", "staff")  # staff: store staff (issue 16)


def create_user(db, *, org_id: int, username: str, password: str, role: str,
                display_name: str | None = None, mystery_shopper: bool = False,
                locale: str | None = None, store_ids: tuple[int, ...] = ()) -> int:
    """Add a user with a hashed password and their store memberships."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    with db.atomic():
        user_id = db["users"].insert({
            "org_id": org_id,
            "username": username,
            "display_name": display_name or username,
            "password_hash": generate_password_hash(password),
            "role": role,
            "mystery_shopper": int(mystery_shopper),
            "locale": locale,
            "active": 1,
            "created_at": now(),
        }).last_pk
        for store_id in store_ids:
            db["memberships"].insert({"user_id": user_id, "store_id": store_id})
    return user_id


def get_user(db, user_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ? AND active = 1", [user_id]))
    return rows[0] if rows else None


def get_by_username(db, username: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return rows[0] if rows else None


def authenticate(db, username: str, password: str) -> dict | None:
    """Return the user when the password matches, else None (same cost either way)."""
    rows = list(db.query("SELECT * FROM users WHERE username = ? AND active = 1", [username]))
    if not rows:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return rows[0] if check_password_hash(rows[0]["password_hash"], password) else None


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def set_locale(db, user_id: int, locale: str | None) -> None:
    with db.atomic():
        db["users"].update(user_id, {"locale": locale})


def store_ids_of(db, user_id: int) -> list[int]:
    return [r["store_id"] for r in db.query(
        "SELECT store_id FROM memberships WHERE user_id = ? ORDER BY store_id", [user_id])]


def users_with_role(db, org_id: int, role: str) -> list[dict]:
    return list(db.query(
        "SELECT id, username, display_name, mystery_shopper FROM users "
        "WHERE org_id = ? AND role = ? AND active = 1 ORDER BY display_name", [org_id, role]))


def count_users(db) -> int:
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def end_sessions(db, user_id: int) -> None:
    """End every session of the user, on every browser and phone, at once.

    Bumps ``users.session_version``, which each session row must match
    (see storage/sessions.py), and drops the rows. Used when a password is
    changed or an account is deactivated.
    """
    with db.atomic():
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user_id])
        db.execute("DELETE FROM user_sessions WHERE user_id = ?", [user_id])


# --- administration (issue 15) ---------------------------------------------------

USER_FIELDS = ("display_name", "role", "locale", "mystery_shopper", "region", "active")


def hash_password(password: str) -> str:
    """scrypt through werkzeug; the clear text is never stored."""
    return generate_password_hash(password, method="scrypt")


def set_password(db, user_id: int, password: str, *, must_change: bool = False) -> None:
    """Store a new password hash; ``must_change`` sends the user to change it at next login.

    The hash is computed before the write transaction: scrypt takes a tenth of a
    second or more, and no other writer should wait for it.
    """
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    set_password_hash(db, user_id, hash_password(password), must_change=must_change)


def set_password_hash(db, user_id: int, password_hash: str, *, must_change: bool = False) -> None:
    """Store an already computed hash (callers that hash outside their transaction)."""
    with db.atomic():
        db.execute("UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
                   [password_hash, int(must_change), user_id])


def check_password(db, user_id: int, password: str) -> bool:
    row = db.execute("SELECT password_hash FROM users WHERE id = ?", [user_id]).fetchone()
    return bool(row) and check_password_hash(row[0], password)


def get_any(db, user_id: int) -> dict | None:
    """A user whether active or not (admin pages)."""
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def org_users(db, org_id: int) -> list[dict]:
    """Every user of the organisation with their store codes, active first."""
    rows = list(db.query(
        "SELECT u.*, (SELECT group_concat(s.code, ' ') FROM memberships m JOIN stores s "
        "ON s.id = m.store_id WHERE m.user_id = u.id) AS store_codes FROM users u "
        "WHERE u.org_id = ? ORDER BY u.active DESC, u.role, u.username", [org_id]))
    for row in rows:
        row["store_codes"] = row["store_codes"] or ""
    return rows


def update_user(db, user_id: int, values: dict, store_ids=None) -> None:
    """Change the given fields (of :data:`USER_FIELDS`) and, when given, the memberships."""
    clean = {k: v for k, v in values.items() if k in USER_FIELDS}
    with db.atomic():
        if clean:
            db["users"].update(user_id, clean)
        if store_ids is not None:
            set_memberships(db, user_id, store_ids)


def set_memberships(db, user_id: int, store_ids) -> None:
    with db.atomic():
        db.execute("DELETE FROM memberships WHERE user_id = ?", [user_id])
        for store_id in sorted(set(store_ids)):
            db["memberships"].insert({"user_id": user_id, "store_id": store_id})


def insert_user(db, *, org_id: int, username: str, password_hash: str, values: dict,
                store_ids=(), must_change: bool = True) -> int:
    """Add a user from admin values with an already hashed password (imports, admin page)."""
    with db.atomic():
        user_id = db["users"].insert({
            "org_id": org_id, "username": username, "password_hash": password_hash,
            "display_name": values.get("display_name") or username, "role": values["role"],
            "mystery_shopper": int(bool(values.get("mystery_shopper"))),
            "locale": values.get("locale"), "region": values.get("region") or "",
            "active": int(values.get("active", 1)), "must_change_password": int(must_change),
            "created_at": now()}).last_pk
        set_memberships(db, user_id, store_ids)
    return user_id


def auditors_for_region(db, org_id: int, region: str, *, mystery_only: bool) -> list[dict]:
    """Active auditors who work ``region`` (an empty user region means any region)."""
    return list(db.query(
        "SELECT id, username, display_name, region, mystery_shopper FROM users "
        "WHERE org_id = ? AND role = 'auditor' AND active = 1 AND (region = '' OR region = ?) "
        "AND (? = 0 OR mystery_shopper = 1) ORDER BY id", [org_id, region, int(mystery_only)]))
