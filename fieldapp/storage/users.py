"""Users, their roles and the stores they belong to."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from fieldapp.storage import now

ROLES = ("admin", "manager", "reviewer", "auditor", "planner")


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
