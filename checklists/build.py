"""Building an Item from a reader's fields, shared by the YAML and spreadsheet readers.

A reader passes an object with typed getters (``str``, ``int``, ``number``, ``bool``,
``text``, ``names``, ``choices``) and ``fail_key``; each getter raises a located
``ChecklistError`` in that reader's own format. The type's ``keys`` say what to read.
"""

from __future__ import annotations

from dataclasses import fields as dc_fields

from .model import Item
from .types import Key, item_type

COMMON_KEYS = ("key", "type", "title", "help", "weight", "required", "critical",
               "photo_on_fail", "relevant", "constraint", "constraint_message")
_ITEM_FIELDS = {f.name for f in dc_fields(Item)}


def read_key(f, name: str, spec: Key):
    """Read one type-specific key with the getter its kind names."""
    if spec.kind == "str":
        return f.str(name, spec.default, choices=spec.choices)
    if spec.kind == "int":
        return f.int(name, spec.default, lo=spec.lo, hi=spec.hi)
    if spec.kind == "number":
        return f.number(name, spec.default, lo=spec.lo, hi=spec.hi, gt=spec.gt)
    if spec.kind == "bool":
        return f.bool(name, spec.default)
    if spec.kind == "text":
        return f.text(name, spec.default)
    if spec.kind == "names":
        return f.names(name, spec.default, spec.min_len)
    if spec.kind == "choices":
        return f.choices(name)
    raise ValueError(f"unknown key kind {spec.kind!r}")  # a type declared nonsense


def type_keys_hint() -> dict[str, str]:
    """For a key found on the wrong type: which types it belongs to."""
    from .types import item_type_names
    owners: dict[str, list[str]] = {}
    for name in item_type_names():
        for key in item_type(name).keys:
            owners.setdefault(key, []).append(name)
    return {k: f"only allowed on {', '.join(v)} items" for k, v in owners.items()}


def read_expression(f, name: str) -> str | None:
    """An XLSForm-style expression, syntax-checked where it was written."""
    from .relevance import ExpressionError, parse_expression
    src = f.str(name, None)
    if src is not None:
        try:
            parse_expression(src)
        except ExpressionError as exc:
            f.fail_key(name, f"{exc.message} in {src!r}", exc.code, pos=exc.pos)
    return src


def build_item(f, key: str, type_name: str, sites: dict | None = None) -> Item:
    """The item whose key and type the reader has already checked.

    ``sites`` collects, per (item key, field), how to report an error in that field
    once the whole checklist is known (unknown names, cycles).
    """
    t = item_type(type_name)
    kw: dict = dict(key=key, type=type_name, title=f.text("title"), help=f.text("help", None),
                    weight=f.number("weight", 1.0, gt=0),
                    required=f.bool("required", False),
                    critical=f.bool("critical", False),
                    photo_on_fail=f.bool("photo_on_fail", False),
                    relevant=read_expression(f, "relevant"),
                    constraint=read_expression(f, "constraint"),
                    constraint_message=f.text("constraint_message", None))
    if sites is not None:
        for name in ("relevant", "constraint"):
            sites[(key, name)] = (lambda n: lambda what, code="invalid", **p:
                                  f.fail_key(n, what, code, **p))(name)
    if not t.can_fail:
        for flag in ("critical", "photo_on_fail"):
            if kw[flag]:
                f.fail_key(flag, f"{type_name} items are never failed, so they cannot be {flag}",
                           "never_failed", type=type_name)
    if not t.asks and kw["required"]:
        f.fail_key("required", f"{type_name} items are not questions, so they cannot be "
                               f"required", "not_a_question", type=type_name)
    own = {name: read_key(f, name, spec) for name, spec in t.keys.items()}
    t.check(own, f.fail_key)
    options = []
    for name, value in own.items():
        if name in _ITEM_FIELDS:
            kw[name] = value
        else:
            options.append((name, value))
    return Item(**kw, options=tuple(options))
